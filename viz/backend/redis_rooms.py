"""Live rooms in Redis: the store that lets a presenter on one replica and attendees on
another share a room (``SCOPEVIZ_REDIS_URL``).

It gives :class:`viz.core.room.MemoryStore`'s answers (the same tests hold both): each method
is one Lua script, so a check and its change happen at once however many replicas ask, with
the caller's ``now`` as the clock (wall-clock seconds, which the replicas share). A room's
keys also expire on their own in Redis's time, so a store whose replicas all stopped leaves
nothing behind. Followers poll once a second: a poll sends the version this replica last saw
and gets the snapshot back only when it moved on, so a thousand followers of an unchanged room
cost a thousand small replies, not a thousand copies of the snippet. Each change is also
published on ``scopeviz:changes`` (``CODE VERSION``); the pages do not subscribe (a Streamlit
page redraws on its own timer, so a push would wait for its next tick anyway), a monitor may.

When Redis cannot be reached every method raises
:class:`viz.core.room.RoomServiceUnavailable` (the page says "room service unavailable");
the client reconnects by itself once Redis is back.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import asdict, replace
from typing import Any

import redis

from viz.core.exercise import Mark, normalized
from viz.core.room import (
    CLIENT_MISSES_PER_MINUTE,
    FOLLOWER_GONE_S,
    IDLE_S,
    MAX_FOLLOWERS,
    MAX_QUESTIONS,
    MAX_ROOMS,
    MAX_SOURCE_CHARS,
    PRESENTER_GONE_S,
    SERVER_MISSES_PER_MINUTE,
    SHOWN_ANSWER_CHARS,
    Joined,
    RoomServiceUnavailable,
    RoomsFull,
    RoomSummary,
    Snapshot,
    exercise_key,
    new_code,
    question_counts,
    well_formed,
)

PREFIX = "scopeviz:"
CHANNEL = PREFIX + "changes"
# A room's keys outlive its last word from the presenter by this much of Redis's own time.
KEY_TTL_S = int(2 * PRESENTER_GONE_S)

# Shared by every script: ARGV[1] is the key prefix, ARGV[2] now.
_LIBRARY = f"""
local P, now = ARGV[1], tonumber(ARGV[2])
local function key(code, part) return P .. 'room:' .. code .. (part or '') end
local function drop(code)
  for _, e in ipairs(redis.call('SMEMBERS', key(code, ':exercises'))) do
    redis.call('DEL', key(code, ':answers:' .. e))
  end
  redis.call('DEL', key(code), key(code, ':followers'), key(code, ':exercises'))
  redis.call('ZREM', P .. 'rooms', code)
end
local function live(code)
  local times = redis.call('HMGET', key(code), 'heard', 'changed')
  if not times[1] then redis.call('ZREM', P .. 'rooms', code) return false end
  if now - tonumber(times[1]) > {PRESENTER_GONE_S}
      or now - tonumber(times[2]) > {IDLE_S} then drop(code) return false end
  return true
end
local function keep(code)
  for _, part in ipairs({{'', ':followers', ':exercises'}}) do
    redis.call('EXPIRE', key(code, part), {KEY_TTL_S})
  end
end
"""

# ARGV: prefix, now, code, presenter, the empty snapshot's JSON
_OPEN = _LIBRARY + f"""
for _, code in ipairs(redis.call('ZRANGE', P .. 'rooms', 0, -1)) do live(code) end
if redis.call('ZCARD', P .. 'rooms') >= {MAX_ROOMS} then return 'full' end
local code = ARGV[3]
if redis.call('EXISTS', key(code)) == 1 then return 'taken' end
redis.call('HSET', key(code), 'presenter', ARGV[4], 'heard', now, 'changed', now,
           'snapshot', ARGV[5], 'version', 0, 'exercise', '')
redis.call('ZADD', P .. 'rooms', now, code)
keep(code)
return 'ok'
"""

# ARGV: prefix, now, code, presenter, snapshot JSON ('' when too large), exercise key
_PUBLISH = _LIBRARY + """
local code = ARGV[3]
if not live(code) or redis.call('HGET', key(code), 'presenter') ~= ARGV[4] then return 0 end
redis.call('HSET', key(code), 'heard', now)
keep(code)
if ARGV[5] == '' or redis.call('HGET', key(code), 'snapshot') == ARGV[5] then return 1 end
local version = redis.call('HINCRBY', key(code), 'version', 1)
redis.call('HSET', key(code), 'snapshot', ARGV[5], 'changed', now, 'exercise', ARGV[6])
redis.call('PUBLISH', P .. 'changes', code .. ' ' .. version)
return 1
"""

# ARGV: prefix, now, code ('' when ill-formed), client, follower, a unique miss id
_JOIN = _LIBRARY + f"""
local code, client, follower = ARGV[3], ARGV[4], ARGV[5]
local mine, all = P .. 'misses:' .. client, P .. 'misses'
redis.call('ZREMRANGEBYSCORE', mine, '-inf', '(' .. (now - 60))
redis.call('ZREMRANGEBYSCORE', all, '-inf', '(' .. (now - 60))
if redis.call('ZCARD', mine) >= {CLIENT_MISSES_PER_MINUTE}
    or redis.call('ZCARD', all) >= {SERVER_MISSES_PER_MINUTE} then return {{'slowed'}} end
if code == '' or not live(code) then
  redis.call('ZADD', mine, now, ARGV[6])
  redis.call('ZADD', all, now, ARGV[6])
  redis.call('EXPIRE', mine, 120)
  redis.call('EXPIRE', all, 120)
  return {{'none'}}
end
local followers = key(code, ':followers')
if not redis.call('ZSCORE', followers, follower)
    and redis.call('ZCARD', followers) >= {MAX_FOLLOWERS} then return {{'full'}} end
redis.call('ZADD', followers, now, follower)
keep(code)
local room = redis.call('HMGET', key(code), 'version', 'snapshot')
return {{'ok', room[1], room[2]}}
"""

# ARGV: prefix, now, code, follower, the version this replica holds
_FOLLOW = _LIBRARY + """
local code = ARGV[3]
if not live(code) then return false end
redis.call('ZADD', key(code, ':followers'), 'XX', now, ARGV[4])
local version = redis.call('HGET', key(code), 'version')
if version == ARGV[5] then return {version} end
return {version, redis.call('HGET', key(code), 'snapshot')}
"""

# ARGV: prefix, now, code, follower
_LEAVE = _LIBRARY + """
local code = ARGV[3]
redis.call('ZREM', key(code, ':followers'), ARGV[4])
for _, e in ipairs(redis.call('SMEMBERS', key(code, ':exercises'))) do
  redis.call('HDEL', key(code, ':answers:' .. e), ARGV[4])
end
return 1
"""

# ARGV: prefix, now, code, follower, exercise key, the answers' JSON
_ANSWER = _LIBRARY + """
local code, follower, exercise = ARGV[3], ARGV[4], ARGV[5]
if redis.call('EXISTS', key(code)) == 0
    or not redis.call('ZSCORE', key(code, ':followers'), follower) then return 0 end
local answers = key(code, ':answers:' .. exercise)
local seen = redis.call('HGET', answers, follower)
local order = seen and cjson.decode(seen)[1] or redis.call('HINCRBY', key(code), 'answered', 1)
redis.call('HSET', answers, follower, '[' .. order .. ',' .. ARGV[6] .. ']')
redis.call('SADD', key(code, ':exercises'), exercise)
redis.call('EXPIRE', answers, %d)
return 1
""" % KEY_TTL_S

# ARGV: prefix, now, code
_SUMMARY = _LIBRARY + f"""
local code = ARGV[3]
if not live(code) then return false end
local followers = redis.call('ZCOUNT', key(code, ':followers'), now - {FOLLOWER_GONE_S}, '+inf')
local exercise = redis.call('HGET', key(code), 'exercise')
return {{followers, exercise, redis.call('HVALS', key(code, ':answers:' .. exercise))}}
"""

# ARGV: prefix, now, code
_CLOSE = _LIBRARY + """
drop(ARGV[3])
return 1
"""


def snapshot_json(snapshot: Snapshot) -> str:
    """The snapshot as the store compares it: without its version, keys sorted."""
    return json.dumps(asdict(replace(snapshot, version=0)), sort_keys=True)


class RedisStore:
    """Rooms in the Redis at ``url`` (``redis://host:port/db``), shared by every replica
    pointed at it."""

    def __init__(self, url: str, prefix: str = PREFIX) -> None:
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=1.0, socket_timeout=2.0,
                                           decode_responses=True)
        self._prefix = prefix
        self._scripts = {name: self._redis.register_script(source) for name, source in (
            ("open", _OPEN), ("publish", _PUBLISH), ("join", _JOIN), ("follow", _FOLLOW),
            ("leave", _LEAVE), ("answer", _ANSWER), ("summary", _SUMMARY),
            ("close", _CLOSE))}
        self._seen: dict[str, Snapshot] = {}  # code -> the last snapshot this replica got
        self._lock = threading.Lock()

    def _call(self, name: str, now: float, *args: object) -> Any:
        try:
            return self._scripts[name](args=[self._prefix, repr(float(now)), *args])
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise RoomServiceUnavailable(f"room service unavailable ({exc})") from None

    def _snapshot(self, code: str, version: str, text: str | None) -> Snapshot:
        """The snapshot of ``version``: from this replica's copy when it is that one."""
        with self._lock:
            held = self._seen.get(code)
            if text is None and held is not None and str(held.version) == version:
                return held
            snapshot = replace(Snapshot.from_dict(json.loads(text or "{}")),
                               version=int(version))
            if code not in self._seen and len(self._seen) >= 2 * MAX_ROOMS:
                self._seen.clear()  # ended rooms' copies: the live ones come back next poll
            self._seen[code] = snapshot
            return snapshot

    def open(self, presenter: str, now: float) -> str:
        while True:
            code = new_code()
            said = self._call("open", now, code, presenter, snapshot_json(Snapshot()))
            if said == "full":
                raise RoomsFull(f"this server holds {MAX_ROOMS} live rooms already")
            if said == "ok":
                return code

    def publish(self, code: str, presenter: str, snapshot: Snapshot, now: float) -> bool:
        large = len(snapshot.source) > MAX_SOURCE_CHARS
        shown = (exercise_key(snapshot.exercise, snapshot.source)
                 if snapshot.exercise else "")
        return bool(self._call("publish", now, code, presenter,
                               "" if large else snapshot_json(snapshot), shown))

    def join(self, code: str, client: str, follower: str, now: float) -> Joined:
        said = self._call("join", now, code if well_formed(code) else "", client, follower,
                          f"{now!r}:{secrets.token_hex(4)}")
        if said[0] == "slowed":
            return Joined(None, "Too many room codes were tried: wait a minute and try again.")
        if said[0] == "none":
            return Joined(None, "There is no live room with that code (a room ends when its "
                                "presenter leaves).")
        if said[0] == "full":
            return Joined(None, f"This room is full ({MAX_FOLLOWERS} followers).")
        return Joined(self._snapshot(code, said[1], said[2]))

    def follow(self, code: str, follower: str, now: float) -> Snapshot | None:
        with self._lock:
            held = self._seen.get(code)
        said = self._call("follow", now, code, follower,
                          "" if held is None else str(held.version))
        if said is None:
            return None
        return self._snapshot(code, said[0], said[1] if len(said) > 1 else None)

    def leave(self, code: str, follower: str) -> None:
        self._call("leave", 0.0, code, follower)

    def answer(self, code: str, follower: str, exercise: str, marks: list[Mark]) -> None:
        given = [[normalized(m.given)[:SHOWN_ANSWER_CHARS], m.right]
                 for m in marks[:MAX_QUESTIONS]]
        self._call("answer", 0.0, code, follower, exercise, json.dumps(given))

    def summary(self, code: str, now: float) -> RoomSummary | None:
        said = self._call("summary", now, code)
        if said is None:
            return None
        followers, exercise, rows = said
        given = [[(answer, bool(right)) for answer, right in answers]
                 for _, answers in sorted(json.loads(row) for row in rows)]
        return RoomSummary(code, int(followers), exercise or None, len(given),
                           tuple(question_counts(given)))

    def close(self, code: str) -> None:
        self._call("close", 0.0, code)
        with self._lock:
            self._seen.pop(code, None)

