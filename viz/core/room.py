"""A live room: a presenter's page shown on every attendee's page as it changes.

The presenter publishes a :class:`Snapshot` (the snippet, mode, view, step, exercise) on every
change; each follower's page polls the room's version once a second and, when it moved on,
takes the snapshot into its own session and runs the snippet in its own sealed run. In an
exercise, followers' checked answers come back as counts per question (how many were right,
the most common wrong answer), never with who gave them.

The rooms live behind :class:`RoomStore`, a small interface: :class:`MemoryStore` keeps them
in this server's memory (one machine); :class:`viz.backend.redis_rooms.RedisStore` keeps them
in Redis for several replicas and gives the same answers (the same tests hold both). Pure:
time comes in as ``now`` (wall-clock seconds, the clock every replica shares), codes from
``secrets``.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections import Counter, deque
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Mapping, Protocol

from viz.core.exercise import EXERCISE, OWN, Mark, normalized, open_exercise, start_exercise
from viz.core.gallery import Gallery
from viz.core.names import TF1
from viz.core.session import ONE, State, set_editor_text

CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
CODE_LENGTH = 6  # 36**6: 2.2 billion codes
PRESENTER_GONE_S = 30.0  # no word from the presenter's page this long: the room ends
IDLE_S = 3 * 3600.0  # a room the presenter has not changed for this long ends too
FOLLOWER_GONE_S = 10.0  # a follower counts while its page asked within this time
MAX_ROOMS = 200
MAX_FOLLOWERS = 2000
# Wrong codes tried: a client may miss this many a minute, all clients together this many;
# with a few live rooms among 2.2 billion codes, guessing one takes years.
CLIENT_MISSES_PER_MINUTE = 5
SERVER_MISSES_PER_MINUTE = 60
# What one room may hold: a snippet as large as a run takes, answers to this many questions.
MAX_SOURCE_CHARS = 256 * 1024
MAX_QUESTIONS = 200
SHOWN_ANSWER_CHARS = 80


class RoomsFull(Exception):
    """The server holds as many live rooms as it may."""


class RoomServiceUnavailable(Exception):
    """The rooms' shared store cannot be reached (Redis is down): rooms pause, single-user
    use goes on."""


UNAVAILABLE = ("Live rooms are paused: room service unavailable. Your own snippets still "
               "run; a room can start again once the service is back.")


@dataclass(frozen=True)
class Snapshot:
    """What followers see of the presenter's page. ``version`` is the store's count of
    changes (0 before the first publish)."""

    view: str = ""
    source: str = ""
    mode: str = ""
    stepping: bool = False
    step: int = 1
    exercise: str | None = None  # an exercise's stem, or "own" (then ``source`` is its text)
    version: int = 0

    def same_as(self, other: Snapshot | None) -> bool:
        return other is not None and replace(self, version=0) == replace(other, version=0)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Snapshot:
        return cls(**data)


@dataclass(frozen=True)
class QuestionCount:
    """One exercise question across the room: answers checked, right ones, and the most
    common wrong answer with how many gave it."""

    number: int
    answered: int
    right: int
    common_wrong: str | None
    common_wrong_count: int


@dataclass(frozen=True)
class RoomSummary:
    """What the presenter sees of the room: how many follow, and the answers' counts for
    the exercise shown (``exercise`` names it)."""

    code: str
    followers: int
    exercise: str | None  # the exercise shown (its :func:`exercise_key`), if any
    checked: int  # followers who checked their answers to it
    questions: tuple[QuestionCount, ...]


@dataclass(frozen=True)
class Joined:
    """A join: the room's snapshot, or why not (``problem``: no such room, or slow down)."""

    snapshot: Snapshot | None
    problem: str | None = None


class RoomStore(Protocol):
    """Where rooms live. Every method is safe to call from any session's thread, and may
    raise :class:`RoomServiceUnavailable`."""

    def open(self, presenter: str, now: float) -> str:
        """A new room's code, presented by session ``presenter``."""

    def publish(self, code: str, presenter: str, snapshot: Snapshot, now: float) -> bool:
        """The presenter's page as it is now (also its heartbeat); False once it ended."""

    def join(self, code: str, client: str, follower: str, now: float) -> Joined:
        """Follows ``code`` (``client``: who is rate-limited, e.g. the address)."""

    def follow(self, code: str, follower: str, now: float) -> Snapshot | None:
        """A follower's poll: the snapshot, None once the room ended."""

    def leave(self, code: str, follower: str) -> None: ...

    def answer(self, code: str, follower: str, exercise: str, marks: list[Mark]) -> None:
        """A follower's checked answers to the exercise (its latest replace earlier ones)."""

    def summary(self, code: str, now: float) -> RoomSummary | None: ...

    def close(self, code: str) -> None: ...


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code)


@dataclass
class _Room:
    presenter: str
    snapshot: Snapshot
    heard: float  # the presenter's last word
    changed: float  # the snapshot's last change
    followers: dict[str, float] = field(default_factory=dict)  # follower -> last poll
    # exercise -> follower -> that follower's (answer, right) per question
    answers: dict[str, dict[str, list[tuple[str, bool]]]] = field(default_factory=dict)


class MemoryStore:
    """Rooms in this process's memory, bounded (:data:`MAX_ROOMS` rooms of
    :data:`MAX_FOLLOWERS` followers), ended rooms dropped as they are met."""

    def __init__(self) -> None:
        self._rooms: dict[str, _Room] = {}
        self._misses: dict[str, deque[float]] = {}
        self._all_misses: deque[float] = deque()
        self._lock = threading.Lock()

    def _live(self, code: str, now: float) -> _Room | None:
        room = self._rooms.get(code)
        if room is not None and (now - room.heard > PRESENTER_GONE_S
                                 or now - room.changed > IDLE_S):
            del self._rooms[code]
            room = None
        return room

    def open(self, presenter: str, now: float) -> str:
        with self._lock:
            for code in list(self._rooms):
                self._live(code, now)
            if len(self._rooms) >= MAX_ROOMS:
                raise RoomsFull(f"this server holds {MAX_ROOMS} live rooms already")
            code = new_code()
            while code in self._rooms:
                code = new_code()
            self._rooms[code] = _Room(presenter, Snapshot(), now, now)
            return code

    def publish(self, code: str, presenter: str, snapshot: Snapshot, now: float) -> bool:
        with self._lock:
            room = self._live(code, now)
            if room is None or room.presenter != presenter:
                return False
            room.heard = now
            if len(snapshot.source) > MAX_SOURCE_CHARS:
                return True  # too large to run anywhere: followers keep the last page
            if not snapshot.same_as(room.snapshot):
                room.snapshot = replace(snapshot, version=room.snapshot.version + 1)
                room.changed = now
            return True

    def _forget_misses(self, now: float) -> None:
        """Drops wrong codes tried more than a minute ago (and clients left with none)."""
        for misses in (*self._misses.values(), self._all_misses):
            while misses and now - misses[0] > 60.0:
                misses.popleft()
        for client in [c for c, misses in self._misses.items() if not misses]:
            del self._misses[client]

    def _slowed(self, client: str, now: float) -> bool:
        """Whether this client, or all clients together, missed too often this minute."""
        self._forget_misses(now)
        return (len(self._misses.get(client, ())) >= CLIENT_MISSES_PER_MINUTE
                or len(self._all_misses) >= SERVER_MISSES_PER_MINUTE)

    def join(self, code: str, client: str, follower: str, now: float) -> Joined:
        with self._lock:
            if self._slowed(client, now):
                return Joined(None, "Too many room codes were tried: wait a minute and try "
                                    "again.")
            room = self._live(code, now) if well_formed(code) else None
            if room is None:
                self._misses.setdefault(client, deque()).append(now)
                self._all_misses.append(now)
                return Joined(None, "There is no live room with that code (a room ends "
                                    "when its presenter leaves).")
            if follower not in room.followers and len(room.followers) >= MAX_FOLLOWERS:
                return Joined(None, f"This room is full ({MAX_FOLLOWERS} followers).")
            room.followers[follower] = now
            return Joined(room.snapshot)

    def follow(self, code: str, follower: str, now: float) -> Snapshot | None:
        with self._lock:
            room = self._live(code, now)
            if room is None:
                return None
            if follower in room.followers:
                room.followers[follower] = now
            return room.snapshot

    def leave(self, code: str, follower: str) -> None:
        with self._lock:
            room = self._rooms.get(code)
            if room is not None:
                room.followers.pop(follower, None)
                for given in room.answers.values():
                    given.pop(follower, None)

    def answer(self, code: str, follower: str, exercise: str, marks: list[Mark]) -> None:
        with self._lock:
            room = self._rooms.get(code)
            if room is not None and follower in room.followers:
                room.answers.setdefault(exercise, {})[follower] = [
                    (normalized(m.given)[:SHOWN_ANSWER_CHARS], m.right)
                    for m in marks[:MAX_QUESTIONS]]

    def summary(self, code: str, now: float) -> RoomSummary | None:
        with self._lock:
            room = self._live(code, now)
            if room is None:
                return None
            following = [f for f, seen in room.followers.items()
                         if now - seen <= FOLLOWER_GONE_S]
            shown = room.snapshot
            exercise = exercise_key(shown.exercise, shown.source) if shown.exercise else None
            given = room.answers.get(exercise or "", {})
            return RoomSummary(code, len(following), exercise, len(given),
                               tuple(question_counts(list(given.values()))))

    def close(self, code: str) -> None:
        with self._lock:
            self._rooms.pop(code, None)


def question_counts(given: list[list[tuple[str, bool]]]) -> list[QuestionCount]:
    """Per question: answered, right, the most common wrong answer (ties: the first seen)."""
    counts = []
    for number in range(max((len(answers) for answers in given), default=0)):
        at = [answers[number] for answers in given if number < len(answers)]
        wrong = Counter(answer for answer, right in at if not right and answer)
        common = wrong.most_common(1)
        counts.append(QuestionCount(number + 1, sum(1 for answer, _ in at if answer),
                                    sum(1 for _, right in at if right),
                                    common[0][0] if common else None,
                                    common[0][1] if common else 0))
    return counts


# A session in a room (transitions of a mapping, as in viz.core.session).
PRESENTER, FOLLOWER = "presenter", "follower"


def exercise_key(exercise: str | None, source: str) -> str:
    """Which exercise answers belong to: its name and its text (one's own snippet changes)."""
    return f"{exercise}:{hashlib.sha256(source.encode('utf-8', 'replace')).hexdigest()[:16]}"


def snapshot_of(state: Mapping[str, Any]) -> Snapshot:
    """The presenter's page as followers get it: the exercise in the Exercise view, else the
    One-snippet page's last run (or text), mode and step. Compare is not followed: followers
    keep the last One-snippet page."""
    if state.get("view") == EXERCISE and state.get("exercise_source") is not None:
        return Snapshot(view=EXERCISE, source=state["exercise_source"],
                        mode=state.get("exercise_mode") or TF1, exercise=state.get("exercise"))
    return Snapshot(view=ONE, source=state.get("ran_source") or state.get("source") or "",
                    mode=state.get("mode") or TF1, stepping=bool(state.get("stepping")),
                    step=int(state.get("step") or 1))


def take_snapshot(state: State, snapshot: Snapshot, gallery: Gallery) -> None:
    """A follower's page becomes the presenter's: what is new runs in the follower's own
    sealed run (an unchanged snippet is not run again)."""
    state["room_seen"] = snapshot.version
    if snapshot.view == EXERCISE:
        state["view"] = EXERCISE
        if (state.get("exercise"), state.get("exercise_source")) != (snapshot.exercise,
                                                                     snapshot.source):
            if snapshot.exercise in gallery.examples and \
                    gallery.examples[snapshot.exercise].source == snapshot.source:
                open_exercise(state, gallery, snapshot.exercise)
            else:
                state["exercise_choice"] = OWN
                start_exercise(state, snapshot.source, snapshot.mode, OWN)
        return
    state["view"] = ONE
    if snapshot.source != state.get("source"):
        set_editor_text(state, snapshot.source)
        state["example"] = next((e.stem for e in gallery.examples.values()
                                 if e.source == snapshot.source), None)
    ran = state.get("trace")
    if ran is None or state.get("ran_source") != snapshot.source or ran.mode != snapshot.mode:
        state["mode"] = snapshot.mode
        state["shared_waiting"] = False
        state["run_requested"] = True
    state["stepping"] = snapshot.stepping
    state["step"] = snapshot.step
    state["playing"] = False


def start_room(state: State, store: RoomStore, now: float) -> None:
    """This session presents a new room (its page is published at once)."""
    state["room_member"] = state.get("room_member") or secrets.token_hex(8)
    try:
        code = store.open(state["room_member"], now)
        store.publish(code, state["room_member"], snapshot_of(state), now)
    except RoomsFull as exc:
        state["room_problem"] = str(exc)
        return
    except RoomServiceUnavailable:
        state["room_problem"] = UNAVAILABLE
        return
    state["room"], state["room_role"], state["room_problem"] = code, PRESENTER, None


def join_room(state: State, store: RoomStore, client: str, gallery: Gallery,
              now: float) -> None:
    """The room a link asked for (``?room=``): followed from now on, or why not."""
    code = str(state.pop("room_join", "")).strip().upper()
    state["room_member"] = state.get("room_member") or secrets.token_hex(8)
    try:
        joined = store.join(code, client, state["room_member"], now)
    except RoomServiceUnavailable:
        joined = Joined(None, UNAVAILABLE)
    if joined.snapshot is None:
        state["room_problem"] = joined.problem
        return
    state["room"], state["room_role"], state["room_problem"] = code, FOLLOWER, None
    take_snapshot(state, joined.snapshot, gallery)


def leave_room(state: State, store: RoomStore, why: str | None = None) -> None:
    """Out of the room: a presenter's ends, a follower keeps a copy of what it showed."""
    code = state.get("room")
    if code is not None:
        try:
            if state.get("room_role") == PRESENTER:
                store.close(code)
            else:
                store.leave(code, state["room_member"])
        except RoomServiceUnavailable:
            pass  # the store drops the room itself once its presenter is quiet
    state["room"] = state["room_role"] = None
    state["room_problem"] = why
