"""The Redis room store across replicas, against Debian's real redis-server: two stores (two
replicas' connections) share a room, a follower's poll of an unchanged room carries no
snippet, each change is announced on the changes channel, a room leaves no key behind, and a
stopped Redis pauses rooms with a clear error until it is back."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from support import start_redis

from viz.backend.redis_rooms import CHANNEL, PREFIX, RedisStore
from viz.core.room import RoomServiceUnavailable, Snapshot

pytestmark = pytest.mark.redis


@pytest.fixture
def url(redis_server: str) -> str:
    redis.Redis.from_url(redis_server).flushdb()
    return redis_server


def test_a_presenter_on_one_replica_and_a_follower_on_another_share_a_room(url: str) -> None:
    first, second = RedisStore(url), RedisStore(url)
    code = first.open("presenter", 100.0)
    assert first.publish(code, "presenter", Snapshot(view="one", source="a = 1"), 100.5)
    joined = second.join(code, "10.0.0.7", "follower", 101.0)
    assert joined.snapshot.source == "a = 1" and joined.snapshot.version == 1
    assert first.summary(code, 101.0).followers == 1
    first.publish(code, "presenter", Snapshot(view="one", source="b = 2"), 102.0)
    seen = second.follow(code, "follower", 102.5)
    assert (seen.source, seen.version) == ("b = 2", 2)
    first.close(code)
    assert second.follow(code, "follower", 103.0) is None


def test_a_poll_of_an_unchanged_room_carries_no_snippet(url: str) -> None:
    """The replica keeps the snapshot it got: an unchanged room's poll is answered with its
    version alone (so the replica's own object comes back: a reply with the text would have
    made a new one), a change brings the new one."""
    presenter, follower = RedisStore(url), RedisStore(url)
    code = presenter.open("p", 0.0)
    presenter.publish(code, "p", Snapshot(source="x = 1\n" * 1000), 0.5)
    follower.join(code, "c", "f", 1.0)
    first = follower.follow(code, "f", 1.5)
    assert follower.follow(code, "f", 2.0) is first
    presenter.publish(code, "p", Snapshot(source="y = 2"), 3.0)
    assert follower.follow(code, "f", 3.5).source == "y = 2"


def test_each_change_is_announced_on_the_changes_channel(url: str) -> None:
    store = RedisStore(url)
    listener = redis.Redis.from_url(url, decode_responses=True).pubsub(
        ignore_subscribe_messages=True)
    listener.subscribe(CHANNEL)
    listener.get_message(timeout=1.0)
    code = store.open("p", 0.0)
    store.publish(code, "p", Snapshot(source="a"), 1.0)
    store.publish(code, "p", Snapshot(source="a"), 2.0)  # a heartbeat, no change
    store.publish(code, "p", Snapshot(source="b"), 3.0)
    messages = [listener.get_message(timeout=2.0) for _ in range(3)]
    assert [m["data"] for m in messages if m] == [f"{code} 1", f"{code} 2"]


def test_a_room_expires_in_redis_and_leaves_nothing_when_closed(url: str) -> None:
    client = redis.Redis.from_url(url, decode_responses=True)
    store = RedisStore(url)
    code = store.open("p", 0.0)
    store.join(code, "c", "f", 1.0)
    assert 0 < client.ttl(f"{PREFIX}room:{code}") <= 60
    assert 0 < client.ttl(f"{PREFIX}room:{code}:followers") <= 60
    store.close(code)
    assert client.keys(f"{PREFIX}room:*") == []


def test_a_stopped_redis_pauses_rooms_until_it_is_back(tmp_path: Path) -> None:
    server, url = start_redis(tmp_path)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    store = RedisStore(url)
    code = store.open("p", 0.0)
    server.terminate()
    server.wait(timeout=30)
    for attempt in (lambda: store.open("p", 1.0), lambda: store.follow(code, "f", 1.0),
                    lambda: store.publish(code, "p", Snapshot(), 1.0)):
        with pytest.raises(RoomServiceUnavailable, match="room service unavailable"):
            attempt()
    server, _ = start_redis(tmp_path, port)
    try:
        assert store.follow(code, "f", 2.0) is None  # its rooms went with it
        fresh = store.open("p", 2.0)
        assert store.publish(fresh, "p", Snapshot(source="again"), 2.5)
        assert store.follow(fresh, "f", 3.0).source == "again"
    finally:
        server.terminate()
        server.wait(timeout=30)
