"""The zygote's control messages: what each side sends is one of the expected types, checked
field by field, as the run channel's reports are."""

from __future__ import annotations

import json

import pytest

from viz.backend import control

MESSAGES = [
    control.Ready(tf="2.21.0", pid=7, no_namespaces=""),
    control.Spawn(id=3, timeout=10.0, memory_limit=1 << 30, hosted=True,
                  readable=("/data/run-3",)),
    control.Stop(id=3),
    control.Ended(id=3, timed_out=False, stopped=False, code=None, signal="SIGKILL",
                  wall_ms=12.5, cpu_demoted=True),
]


@pytest.mark.parametrize("message", MESSAGES, ids=lambda m: type(m).__name__)
def test_each_message_round_trips(message: control.Message) -> None:
    data = control.encode(message)
    assert len(data) < control.MAX_BYTES
    assert control.decode(data, type(message)) == message


@pytest.mark.parametrize("data, why", [
    (b"\xff", "not JSON"),
    (b"[1, 2]", "unexpected message"),
    (b'{"op": "ended", "id": 1}', "unexpected message"),  # the zygote expects no ended
    (b'{"op": "stop"}', "Stop without id"),
    (b'{"op": "stop", "id": "1"}', "Stop.id is not int"),
    (b'{"op": "stop", "id": true}', "Stop.id is not int"),
    (b'{"op": "stop", "id": 1, "then": "rm"}', "unknown fields ['then']"),
    (json.dumps({"op": "spawn", "id": 1, "timeout": 1, "memory_limit": 1, "hosted": 1,
                 }).encode(), "Spawn.hosted is not bool"),
    (json.dumps({"op": "spawn", "id": 1, "timeout": 1, "memory_limit": 1, "hosted": False,
                 "readable": "/"}).encode(), "Spawn.readable is not tuple[str, ...]"),
])
def test_a_message_not_expected_or_not_well_formed_is_refused(data: bytes, why: str) -> None:
    with pytest.raises(control.BadControlMessage, match=why.replace("[", r"\[")):
        control.decode(data, control.Spawn, control.Stop)


def test_optional_fields_take_their_defaults_and_none_where_allowed() -> None:
    spawn = control.decode(b'{"op": "spawn", "id": 1, "timeout": 2, "memory_limit": 3, '
                           b'"hosted": false}', control.Spawn)
    assert spawn == control.Spawn(id=1, timeout=2, memory_limit=3, hosted=False, readable=())
    ended = control.decode(json.dumps({
        "op": "ended", "id": 1, "timed_out": True, "stopped": False, "code": 0, "signal": None,
        "wall_ms": 1.0, "cpu_demoted": False, "error": None}).encode(), control.Ended)
    assert ended.timed_out and ended.error is None
