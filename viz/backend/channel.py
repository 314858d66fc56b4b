"""The run channel: how one run's process reports to the executor, and how every report is
checked before use.

Each run has its own socket, made for it alone: nothing another run writes can ever be read as
part of this one. The run writes JSON lines (``ev`` events, ``out`` printed text, ``ops``,
``done``); the executor reads them with :class:`RunReport`, which treats them as hostile: every
message is parsed, checked against its schema and types, its strings cleaned, and the run is
bounded (message size, total bytes, event count, string length, printed output). Too much ends
the run as ``OutputLimit`` naming the bound; anything malformed ends it as ``WorkerCrashed``.
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any, Callable

from viz.backend.policy import LIMITS
from viz.core.escape import clean, shorten
from viz.core.names import CREATED, REUSED, UNIQUIFIED
from viz.core.trace import CheckpointKey, ErrorInfo, Event, event_from_dict

MALFORMED = "the run sent a malformed report"


class BoundExceeded(BaseException):
    """Raised inside a run that reached one of its bounds (a BaseException, so that a
    snippet's ``except Exception`` does not swallow it)."""


def timeout_message(timeout: float) -> str:
    """What a run stopped at its time limit reports, with how to give it more time."""
    return (f"the snippet ran longer than its time limit of {timeout:g} s and was stopped; "
            "a bigger model may need more: --timeout on the command line, timeout= in Python, "
            "or the app's time limit (up to the server's SCOPEVIZ_MAX_TIMEOUT)")


def describe_bound(what: str, limit: int) -> str:
    return f"the run exceeded its limit of {limit:,} {what}; what came before is kept"


class Sender:
    """The run's end: writes each message at once (the run may be killed any moment) and keeps
    its events within the bounds, raising :class:`BoundExceeded` at the first one crossed."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._lock = threading.Lock()  # the snippet's threads print too: lines stay whole
        self.events = 0
        self.event_bytes = 0
        self.exceeded: str | None = None

    def _write(self, data: bytes) -> None:
        with self._lock:
            while data:
                data = data[os.write(self._fd, data):]

    def send(self, message: dict[str, Any]) -> None:
        self._write((json.dumps(message, default=str) + "\n").encode("utf-8", "surrogatepass"))

    def event(self, event: dict[str, Any], kind: str = "ev") -> None:
        """Sends one tracer event (or, as ``ck``, one checkpoint key: they share the bounds),
        or raises BoundExceeded (once; later events are dropped)."""
        if self.exceeded is not None:
            return
        for value in event.values():
            if isinstance(value, str) and len(value) > LIMITS.max_name_chars:
                self._exceed(f"the run used a name of {len(value):,} characters; names may "
                             f"have {LIMITS.max_name_chars:,}")
        data = (json.dumps({"k": kind, "e": event}, default=str) + "\n").encode(
            "utf-8", "surrogatepass")
        self.events += 1
        self.event_bytes += len(data)
        if self.events > LIMITS.max_events:
            self._exceed(describe_bound("scopes and variables", LIMITS.max_events))
        if self.event_bytes > LIMITS.max_event_bytes:
            self._exceed(describe_bound("bytes of scopes and variables", LIMITS.max_event_bytes))
        self._write(data)

    def _exceed(self, message: str) -> None:
        self.exceeded = message
        raise BoundExceeded(message)


def _is_int(value: Any) -> bool:
    return type(value) is int


def _optional_int(value: Any) -> bool:
    return value is None or type(value) is int


def _string(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= LIMITS.max_name_chars


def _optional_string(value: Any) -> bool:
    return value is None or _string(value)


def _boolean(value: Any) -> bool:
    return isinstance(value, bool)


def _reuse(value: Any) -> bool:
    return value is None or isinstance(value, bool) or value == "AUTO_REUSE"


def _shape(value: Any) -> bool:
    return value is None or (isinstance(value, list) and len(value) <= 64
                             and all(_optional_int(d) for d in value))


def _known_rank(value: Any) -> bool:
    """A saved tensor's shape: a list of dimensions, never "unknown" (None)."""
    return value is not None and _shape(value)


def _strings(value: Any) -> bool:
    return isinstance(value, list) and len(value) <= 64 and all(_string(v) for v in value)


def _one_of(*allowed: str) -> Callable[[Any], bool]:
    return lambda value: value in allowed


_EVENT_SCHEMAS: dict[str, dict[str, Callable[[Any], bool]]] = {
    "name_scope": {"asked": _string, "given": _string, "requested": _string,
                   "line": _optional_int, "graph": _is_int},
    "variable_scope": {"name": _string, "requested": _string, "asked": _optional_string,
                       "reuse": _reuse, "reuse_asked": _reuse, "captured": _boolean,
                       "default_name": _optional_string, "name_scope": _string,
                       "user": _boolean, "line": _optional_int, "graph": _is_int},
    "reuse_variables": {"scope": _string, "line": _optional_int, "graph": _is_int},
    "variable": {"name": _string, "requested": _string, "status": _one_of(CREATED, UNIQUIFIED),
                 "api": _string, "via": _optional_string, "shape": _shape, "dtype": _string,
                 "trainable": _boolean, "collections": _strings,
                 "initializer": _optional_string, "resource": _boolean, "name_scope": _string,
                 "variable_scope": _optional_string, "line": _optional_int, "graph": _is_int},
    "tf2_variable": {"name": _string, "requested": _string,
                     "status": _one_of(CREATED, UNIQUIFIED), "path": _optional_string,
                     "keras_name": _optional_string, "shape": _shape, "dtype": _string,
                     "trainable": _boolean,
                     "created_in": _one_of("eager", "tf.function", "graph"),
                     "line": _optional_int, "call_line": _optional_int},
    "tf2_reuse": {"name": _string, "requested": _string, "variable": _optional_int,
                  "line": _optional_int},
    "layer": {"name": _string, "cls": _string, "base": _string, "auto_named": _boolean,
              "line": _optional_int, "counter": _is_int, "zero_based": _boolean},
    "tf2_key": {"key": _string, "shape": _known_rank,
                "variable": _optional_int, "owner": _optional_string},
    "weights_key": {"key": _string, "shape": _known_rank,
                    "format": _one_of("h5", "tf")},
    "reuse": {"name": _string, "requested": _string, "name_scope": _string,
              "variable_scope": _string, "reuse": _reuse, "via": _optional_string,
              "line": _optional_int, "graph": _is_int, "status": _one_of(REUSED)},
}


_CHECKPOINT_KEY_SCHEMA: dict[str, Callable[[Any], bool]] = {
    "key": _string, "shape": lambda value: _known_rank(value) and None not in value,
    "dtype": _string, "saved_as": _optional_string}


def _checkpoint_key(data: Any) -> CheckpointKey | None:
    """The checkpoint key a message describes, or None when it does not fit exactly."""
    if (not isinstance(data, dict) or set(data) != set(_CHECKPOINT_KEY_SCHEMA)
            or not all(check(data[key]) for key, check in _CHECKPOINT_KEY_SCHEMA.items())):
        return None
    return CheckpointKey(**{key: _cleaned(value) for key, value in data.items()})


def _cleaned(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_cleaned(v) for v in value]
    return value


def _event(data: Any) -> Event | None:
    """The event a message describes, or None when it does not fit its schema exactly."""
    if not isinstance(data, dict):
        return None
    schema = _EVENT_SCHEMAS.get(data.get("kind"))  # type: ignore[arg-type]
    if schema is None or set(data) != set(schema) | {"kind"}:
        return None
    if not all(check(data[key]) for key, check in schema.items()):
        return None
    return event_from_dict({key: _cleaned(value) for key, value in data.items()})


def _error(data: Any) -> ErrorInfo | None | bool:
    """The ``done`` message's error, None for success, False when malformed."""
    if data is None:
        return None
    if (not isinstance(data, dict) or set(data) != {"type", "message", "line", "column"}
            or not _string(data["type"]) or not isinstance(data["message"], str)
            or not _optional_int(data["line"]) or not _optional_int(data["column"])):
        return False
    return ErrorInfo(clean(data["type"]), clean(data["message"]), data["line"], data["column"])


class RunReport:
    """The executor's view of one run: validated messages, within the bounds.

    Feed it the bytes read from the run's socket; once :attr:`violation` is set the run must be
    stopped and nothing more is taken from it.
    """

    def __init__(self, output_limit: int = LIMITS.output_limit) -> None:
        self.events: list[Event] = []
        self.output: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self.output_left = output_limit
        self.output_limit = output_limit
        self.ops: list[str] = []
        self.ops_total = 0
        self.checkpoint: list[CheckpointKey] = []
        self.checkpoint_error: str | None = None
        self.root_error: str | None = None
        self.cells: list[tuple[int, int]] = []  # where each cell's printing starts
        self._printed = {"stdout": 0, "stderr": 0}  # characters kept so far
        self.done = False
        self.error: ErrorInfo | None = None
        self.elapsed_ms: float | None = None
        self.violation: ErrorInfo | None = None
        self._event_bytes = 0
        self._messages = 0
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        """Takes bytes from the socket; complete lines are checked and recorded."""
        if self.violation is not None:
            return
        self._buffer += data
        while self.violation is None:
            end = self._buffer.find(b"\n")
            if end < 0:
                if len(self._buffer) > LIMITS.max_line_bytes:
                    self._limit(f"the run sent a message longer than "
                                f"{LIMITS.max_line_bytes:,} bytes")
                return
            line = bytes(self._buffer[:end])
            del self._buffer[:end + 1]
            self._messages += 1
            if self._messages > LIMITS.max_messages:
                self._limit(describe_bound("messages", LIMITS.max_messages))
            elif len(line) > LIMITS.max_line_bytes:
                self._limit(f"the run sent a message longer than {LIMITS.max_line_bytes:,} bytes")
            elif line.strip():
                self._take(line)

    def finish(self) -> None:
        """The socket closed: an unfinished line is a malformed report."""
        if self.violation is None and self._buffer.strip():
            self._malformed()
        self._buffer = bytearray()

    def _limit(self, message: str) -> None:
        self.violation = ErrorInfo("OutputLimit", message, self.last_line())
        self._buffer = bytearray()

    def _malformed(self) -> None:
        self.violation = ErrorInfo("WorkerCrashed", MALFORMED, self.last_line())
        self._buffer = bytearray()

    def last_line(self) -> int | None:
        """The snippet line of the last event, where a run stopped from outside was."""
        return next((e.line for e in reversed(self.events) if e.line), None)  # type: ignore

    def _take(self, line: bytes) -> None:
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            self._malformed()
            return
        if not isinstance(message, dict) or self.done:
            self._malformed()
            return
        kind = message.get("k")
        if kind in ("ev", "ck") and set(message) == {"k", "e"}:
            item = (_event if kind == "ev" else _checkpoint_key)(message["e"])
            if item is None:
                self._malformed()
                return
            self._event_bytes += len(line) + 1
            if len(self.events) + len(self.checkpoint) >= LIMITS.max_events:
                self._limit(describe_bound("scopes and variables", LIMITS.max_events))
            elif self._event_bytes > LIMITS.max_event_bytes:
                self._limit(describe_bound("bytes of scopes and variables", LIMITS.max_event_bytes))
            elif kind == "ev":
                self.events.append(item)  # type: ignore[arg-type]
            else:
                self.checkpoint.append(item)  # type: ignore[arg-type]
        elif (kind == "ckerr" and set(message) == {"k", "message"}
              and isinstance(message["message"], str) and self.checkpoint_error is None):
            self.checkpoint_error = clean(shorten(message["message"], LIMITS.max_error_chars))
        elif (kind == "rooterr" and set(message) == {"k", "message"}
              and isinstance(message["message"], str) and self.root_error is None):
            self.root_error = clean(shorten(message["message"], LIMITS.max_error_chars))
        elif (kind == "cell" and set(message) == {"k", "i"} and _is_int(message["i"])
              and message["i"] == len(self.cells)):
            self.cells.append((self._printed["stdout"], self._printed["stderr"]))
        elif (kind == "out" and set(message) == {"k", "s", "t"}
              and message["s"] in self.output and isinstance(message["t"], str)):
            self.add_output(message["s"], message["t"])
        elif (kind == "ops" and set(message) == {"k", "names", "total"}
              and isinstance(message["names"], list) and len(message["names"]) <= LIMITS.max_ops
              and all(_string(n) for n in message["names"]) and _is_int(message["total"])):
            self.ops = [clean(n) for n in message["names"]]
            self.ops_total = max(message["total"], len(self.ops))
        elif (kind == "done" and set(message) == {"k", "error", "elapsed_ms"}
              and isinstance(message["elapsed_ms"], (int, float))
              and not isinstance(message["elapsed_ms"], bool)):
            error = _error(message["error"])
            if error is False:
                self._malformed()
                return
            if error is not None and len(error.message) > LIMITS.max_error_chars:
                self._limit(f"the run's error message is {len(error.message):,} characters; "
                            f"at most {LIMITS.max_error_chars:,} are kept")
                return
            self.done, self.error = True, error  # type: ignore[assignment]
            self.elapsed_ms = float(message["elapsed_ms"])
        else:
            self._malformed()

    def add_output(self, stream: str, text: str) -> bool:
        """Keeps printed text within the run's one output budget; False once it is spent."""
        size = len(text.encode("utf-8", "surrogatepass"))
        if size <= self.output_left:
            self.output_left -= size
            self._keep(stream, clean(text))
            return True
        kept = text.encode("utf-8", "surrogatepass")[:self.output_left].decode("utf-8", "ignore")
        self._keep(stream, clean(kept) + "\n[output truncated]\n")
        self.output_left = 0
        self._output_exceeded("the rest was dropped")
        return False

    def _keep(self, stream: str, text: str) -> None:
        self.output[stream].append(text)
        self._printed[stream] += len(text)

    def raw_written(self, size: int) -> None:
        """The run's raw writes to fd 1 and 2 so far: past what is left of the output budget,
        the run must be stopped (they are read, within the budget, once it has ended)."""
        if size > self.output_left:
            self._output_exceeded("it was stopped")

    def _output_exceeded(self, what_then: str) -> None:
        if self.violation is None:
            self.violation = ErrorInfo(
                "OutputLimit", f"the snippet printed more than {self.output_limit:,} bytes "
                f"(stdout and stderr together); {what_then}", self.last_line())
