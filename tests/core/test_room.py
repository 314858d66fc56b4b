"""Live rooms: the stores (codes, versions, followers, answers' counts, the room's end, joins
slowed down), each test held by the in-memory store and by the Redis store against a real
redis-server, and a session following a presenter's page."""

from __future__ import annotations

import pytest
from support import first_visit, load_trace

from viz.core import exercise, room, session
from viz.core.exercise import check, questions
from viz.core.gallery import load_galleries
from viz.core.room import FOLLOWER, PRESENTER, MemoryStore, RoomStore, Snapshot
from viz.core.trace import Trace

GALLERY = load_galleries()
SEED_1 = "seed_1_name_scope_vs_variable_scope"


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def store(request: pytest.FixtureRequest) -> RoomStore:
    """Each store in turn: this process's memory, and Redis (emptied for the test)."""
    if request.param == "memory":
        return MemoryStore()
    import redis

    from viz.backend.redis_rooms import RedisStore

    url = request.getfixturevalue("redis_server")
    redis.Redis.from_url(url).flushdb()
    return RedisStore(url)


def visit(**params: str) -> dict:
    return first_visit(hosted=True, **params)


def test_a_room_has_a_six_character_code_and_followers_get_each_change(store: RoomStore) -> None:
    presenter = visit(example=SEED_1)
    room.start_room(presenter, store, now=0.0)
    code = presenter["room"]
    assert len(code) == 6 and all(c in room.CODE_ALPHABET for c in code)
    assert presenter["room_role"] == PRESENTER
    follower = visit(room=code.lower())  # a code typed in lower case still joins
    room.join_room(follower, store, "10.0.0.1", GALLERY, now=1.0)
    assert follower["room"] == code and follower["room_role"] == FOLLOWER
    assert follower["source"] == GALLERY.examples[SEED_1].source
    assert follower["run_requested"] is True  # the first example, never run on this page
    session.take_run(follower, Trace(), follower["source"])  # its run
    follower["run_requested"] = False
    presenter["stepping"], presenter["step"] = True, 4
    assert store.publish(code, presenter["room_member"], room.snapshot_of(presenter), 2.0)
    seen = store.follow(code, follower["room_member"], 2.5)
    assert seen.version == follower["room_seen"] + 1
    room.take_snapshot(follower, seen, GALLERY)
    assert (follower["stepping"], follower["step"]) == (True, 4)
    assert follower["run_requested"] is False  # the same snippet: not run again
    # Publishing what is already shown is a heartbeat, not a change.
    store.publish(code, presenter["room_member"], room.snapshot_of(presenter), 3.0)
    assert store.follow(code, follower["room_member"], 3.0).version == seen.version
    assert store.summary(code, 3.0).followers == 1


def test_a_new_snippet_runs_on_the_followers_page_and_an_exercise_opens_there(
        store: RoomStore) -> None:
    presenter = visit()
    room.start_room(presenter, store, 0.0)
    follower = visit(room=presenter["room"])
    room.join_room(follower, store, "c", GALLERY, 0.0)
    follower["run_requested"] = False
    presenter["ran_source"], presenter["mode"] = "v = tf.Variable(1)\n", "tf1"
    store.publish(presenter["room"], presenter["room_member"], room.snapshot_of(presenter), 1)
    room.take_snapshot(follower, store.follow(presenter["room"], follower["room_member"], 1),
                       GALLERY)
    assert follower["source"] == "v = tf.Variable(1)\n" and follower["run_requested"]
    assert follower["example"] is None
    exercise.open_exercise(presenter, GALLERY, "auto_reuse")
    presenter["view"] = exercise.EXERCISE
    store.publish(presenter["room"], presenter["room_member"], room.snapshot_of(presenter), 2)
    room.take_snapshot(follower, store.follow(presenter["room"], follower["room_member"], 2),
                       GALLERY)
    assert follower["view"] == exercise.EXERCISE and follower["exercise"] == "auto_reuse"
    assert follower["exercise_requested"] is True


def test_the_presenter_sees_the_rooms_answers_counted_without_names(store: RoomStore) -> None:
    presenter = visit(exercise=SEED_1)
    room.start_room(presenter, store, 0.0)
    code = presenter["room"]
    trace = load_trace(SEED_1)
    found = questions(trace, GALLERY.examples[SEED_1].source)
    key = room.exercise_key(SEED_1, GALLERY.examples[SEED_1].source)
    given = [["nsc1/v1:0", "nsc1/vsc1/v2:0", "vsc1/v3:0", "nsc1_1/v4:0"],
             ["nsc1/v1:0", "nsc1/vsc1/v2:0", "nsc1/vsc1/v3:0", "nsc1/v4:0"],
             ["nsc1/v1", "", "nsc1/vsc1/v3", "nsc1_1/v4"]]
    for number, answers in enumerate(given):
        store.join(code, f"client{number}", f"f{number}", 1.0)
        store.answer(code, f"f{number}", key, check(found, answers))
    store.answer(code, "f0", key, check(found, given[0]))  # checked again: counted once
    summary = store.summary(code, 2.0)
    assert summary.exercise == key and summary.checked == 3 and summary.followers == 3
    assert [(q.answered, q.right) for q in summary.questions] == [
        (3, 3), (2, 2), (3, 1), (3, 2)]
    assert (summary.questions[2].common_wrong, summary.questions[2].common_wrong_count) == (
        "nsc1/vsc1/v3:0", 2)
    assert "f0" not in repr(summary) and "client" not in repr(summary)
    store.leave(code, "f1")
    assert store.summary(code, 2.0).checked == 2


def test_a_room_ends_when_its_presenter_goes_quiet_or_closes_it(store: RoomStore) -> None:
    presenter = visit()
    room.start_room(presenter, store, 0.0)
    code = presenter["room"]
    follower = visit(room=code)
    room.join_room(follower, store, "c", GALLERY, 1.0)
    assert store.follow(code, follower["room_member"], room.PRESENTER_GONE_S - 1) is not None
    assert store.follow(code, follower["room_member"], room.PRESENTER_GONE_S + 1) is None
    assert not store.publish(code, presenter["room_member"], Snapshot(), room.PRESENTER_GONE_S)
    room.start_room(presenter, store, 100.0)
    room.leave_room(presenter, store)
    assert presenter["room"] is None and store.summary(code, 100.0) is None
    assert not store.publish(code, presenter["room_member"], Snapshot(), 100.0)


def test_only_its_presenter_can_change_a_room(store: RoomStore) -> None:
    code = store.open("presenter", 0.0)
    assert not store.publish(code, "intruder", Snapshot(source="evil"), 1.0)
    assert store.follow(code, "x", 1.0).source == ""


def test_wrong_codes_are_slowed_down_per_client_and_for_the_whole_server(store: RoomStore) -> None:
    code = store.open("p", 0.0)
    for attempt in range(room.CLIENT_MISSES_PER_MINUTE):
        assert store.join("AAAAAA" if code != "AAAAAA" else "BBBBBB", "guesser", "g",
                          float(attempt)).problem.startswith("There is no live room")
    slowed = store.join(code, "guesser", "g", 10.0)  # even the right code, for a minute
    assert slowed.snapshot is None and slowed.problem.startswith("Too many room codes")
    for now in (25.0, 50.0, 70.0):
        store.publish(code, "p", Snapshot(), now)  # the presenter's page is still there
    assert store.join(code, "guesser", "g", 70.0).snapshot is not None
    assert store.join(code, "someone", "s", 70.0).snapshot is not None
    for attempt in range(room.SERVER_MISSES_PER_MINUTE):
        store.join("<bad>", f"client{attempt}", "x", 71.0)
    assert store.join(code, "newcomer", "n", 72.0).snapshot is None
    for now in (95.0, 120.0, 131.0):
        store.publish(code, "p", Snapshot(), now)
    assert store.join(code, "newcomer", "n", 132.0).snapshot is not None


def test_rooms_and_followers_are_bounded(store: RoomStore) -> None:
    for number in range(room.MAX_ROOMS):
        store.open(f"p{number}", 0.0)
    with pytest.raises(room.RoomsFull):
        store.open("one more", 1.0)
    assert store.open("later", room.PRESENTER_GONE_S + 1)  # the quiet rooms ended


def test_a_room_link_is_kept_for_the_join_and_a_follower_leaves_with_a_copy(
        store: RoomStore) -> None:
    presenter = visit(example="auto_reuse")
    room.start_room(presenter, store, 0.0)
    follower = visit(room=presenter["room"] + "-and-a-very-long-tail")
    assert len(follower["room_join"]) == 16
    room.join_room(follower, store, "c", GALLERY, 0.0)
    assert follower.get("room") is None and follower["room_problem"].startswith("There is no")
    follower["room_join"] = presenter["room"]
    room.join_room(follower, store, "c", GALLERY, 0.0)
    room.leave_room(follower, store)
    assert follower["room"] is None
    assert follower["source"] == GALLERY.examples["auto_reuse"].source  # the copy stays
    assert store.summary(presenter["room"], 0.0).followers == 0


def test_a_room_holds_bounded_snippets_and_answers(store: RoomStore) -> None:
    code = store.open("p", 0.0)
    store.publish(code, "p", Snapshot(source="small"), 1.0)
    assert store.publish(code, "p", Snapshot(source="x" * (room.MAX_SOURCE_CHARS + 1)), 2.0)
    assert store.follow(code, "f", 2.0).source == "small"
    store.join(code, "c", "f", 2.0)
    found = [exercise.Question(n, n, "", 1, "a:0", "") for n in range(1, 1000)]
    store.answer(code, "f", room.exercise_key("e", "small"),
                 check(found, ["x" * 10_000] * 999))
    store.publish(code, "p", Snapshot(source="small", exercise="e"), 3.0)
    counts = store.summary(code, 3.0).questions
    assert len(counts) == room.MAX_QUESTIONS
    assert {count.common_wrong for count in counts} == {"x" * room.SHOWN_ANSWER_CHARS}
