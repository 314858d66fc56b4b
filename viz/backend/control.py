"""The zygote's control socket: the four messages the executor and the zygote exchange, as
checked types, in the manner of the run channel (:mod:`viz.backend.channel`).

The executor asks for a run (:class:`Spawn`, with the run's three file descriptors beside it)
or for its end (:class:`Stop`); the zygote says it is up (:class:`Ready`) and how each run
ended (:class:`Ended`). Each message is one JSON datagram naming its ``op``; :func:`decode`
accepts only the ops the reader expects, with every field of its type, and raises
:class:`BadControlMessage` otherwise.
"""

from __future__ import annotations

import json
from dataclasses import MISSING, asdict, dataclass, fields
from typing import Any, Union

# A datagram's size: every message is far smaller (a spawn names a few folders).
MAX_BYTES = 4096


class BadControlMessage(ValueError):
    """A datagram that is not one of the messages expected, with the fields it must have."""


@dataclass(frozen=True)
class Ready:
    """The zygote imported TF: its version, its pid, and why runs get no PID namespace here
    ("" when they do)."""

    tf: str
    pid: int
    no_namespaces: str


@dataclass(frozen=True)
class Spawn:
    """Fork a run: its id, time limit, memory limit, whether it is sealed, and the folders a
    sealed run may read besides Python's."""

    id: int
    timeout: float
    memory_limit: int
    hosted: bool
    readable: tuple[str, ...] = ()


@dataclass(frozen=True)
class Stop:
    """End run ``id`` now (its caller gave up on it)."""

    id: int


@dataclass(frozen=True)
class Ended:
    """How run ``id`` ended: at its time limit, stopped, its exit code or signal, its wall
    time, whether it was demoted for its CPU use; ``error`` when it could not be started."""

    id: int
    timed_out: bool
    stopped: bool
    code: int | None
    signal: str | None
    wall_ms: float
    cpu_demoted: bool
    error: str | None = None


Message = Union[Ready, Spawn, Stop, Ended]
_OPS: dict[str, type] = {"ready": Ready, "spawn": Spawn, "stop": Stop, "ended": Ended}
_NAMES = {cls: op for op, cls in _OPS.items()}
_CHECKS = {
    "int": lambda v: type(v) is int,
    "float": lambda v: type(v) in (int, float),
    "bool": lambda v: type(v) is bool,
    "str": lambda v: type(v) is str,
    "tuple[str, ...]": lambda v: type(v) is list and all(type(x) is str for x in v),
}


def encode(message: Message) -> bytes:
    """One datagram: ``{"op": ..., **fields}``."""
    return json.dumps({"op": _NAMES[type(message)], **asdict(message)}).encode("utf-8")


def decode(data: bytes, *expected: type) -> Message:
    """The message in ``data``, which must be one of the ``expected`` types.

    Raises:
        BadControlMessage: not JSON, another op, a field missing, unknown or of a wrong type.
    """
    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadControlMessage(f"not JSON: {exc}") from exc
    if not isinstance(raw, dict) or _OPS.get(raw.get("op")) not in expected:
        raise BadControlMessage(f"unexpected message {str(raw)[:200]}")
    cls = _OPS[raw.pop("op")]
    values: dict[str, Any] = {}
    for field in fields(cls):
        if field.name not in raw:
            if field.default is MISSING:  # no default: required
                raise BadControlMessage(f"{cls.__name__} without {field.name}")
            continue
        value = raw.pop(field.name)
        kinds = [kind.strip() for kind in str(field.type).split("|")]
        if not ((value is None and "None" in kinds) or any(
                _CHECKS[kind](value) for kind in kinds if kind != "None")):
            raise BadControlMessage(f"{cls.__name__}.{field.name} is not {field.type}")
        values[field.name] = tuple(value) if isinstance(value, list) else value
    if raw:
        raise BadControlMessage(f"{cls.__name__} with unknown fields {sorted(raw)}")
    return cls(**values)
