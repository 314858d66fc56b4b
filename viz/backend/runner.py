"""Runs one snippet in a forked child of the worker, in TF1 or TF2 mode: captured output,
errors as data."""

from __future__ import annotations

import builtins
import errno
import io
import math
import re
import signal
import sys
import time
import types
from dataclasses import dataclass
from typing import Any, Callable

import tensorflow.compat.v1 as tf_v1

from viz.backend import checkpoint_keys, tf2_checkpoint, tracer, tracer_tf2
from viz.backend.channel import BoundExceeded, Sender, timeout_message
from viz.backend.policy import LIMITS
from viz.core.cells import placed

Send = Callable[[dict[str, Any]], None]

# Outcome names ScopeViz itself reports. A snippet's own exception class with one of these
# names is reported by its full name (``__main__.ServerBusy``) so it cannot pass for ours.
RESERVED_TYPES = frozenset({
    "Timeout", "MemoryLimit", "WorkerCrashed", "OutputLimit", "SnippetTooLarge", "SystemExit",
    "Blocked", "ServerBusy", "WorkerUnavailable"})


class SnippetTimeout(BaseException):
    """Raised in the snippet when its time is up (a BaseException: `except Exception` misses it)."""


class CappedStream(io.TextIOBase):
    """A text stream that forwards writes as protocol messages and stops at a byte limit."""

    def __init__(self, stream: str, send: Send, budget: list[int], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._send = send
        self._budget = budget  # shared by stdout and stderr: one limit for the run
        self.exceeded = False

    @property
    def encoding(self) -> str:
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.exceeded or not text:
            return len(text)
        size = len(text.encode("utf-8", "replace"))
        if size > self._budget[0]:
            kept = text.encode("utf-8", "replace")[: self._budget[0]].decode("utf-8", "ignore")
            self._budget[0] = 0
            if kept:
                self._send({"k": "out", "s": self._stream, "t": kept})
            self.exceeded = True
            raise BoundExceeded(f"the snippet printed more than {self._limit} bytes")
        self._budget[0] -= size
        self._send({"k": "out", "s": self._stream, "t": text})
        return len(text)


def snippet_builtins() -> dict[str, Any]:
    """Builtins whose ``import tensorflow`` gives ``tensorflow.compat.v1``, as TF1 code expects."""
    real_import = builtins.__import__

    def snippet_import(name: str, globals: Any = None, locals: Any = None,
                       fromlist: Any = (), level: int = 0) -> Any:
        if name == "tensorflow" and level == 0:
            return tf_v1
        return real_import(name, globals, locals, fromlist, level)

    namespace = dict(builtins.__dict__)
    namespace["__import__"] = snippet_import
    return namespace


def _column(tb: types.TracebackType) -> int | None:
    """1-based column of the expression a traceback entry points at (Python 3.11 positions)."""
    positions = list(tb.tb_frame.f_code.co_positions())
    index = tb.tb_lasti // 2
    if 0 <= index < len(positions) and positions[index][2] is not None:
        return positions[index][2] + 1
    return None


def _refused(error: BaseException) -> bool:
    """True for the errors a sandbox wall produces: EPERM/EACCES (also as the reason of a
    urllib error), TF's PermissionDenied."""
    reason = getattr(error, "reason", None)
    for candidate in (error, reason):
        if isinstance(candidate, OSError) and candidate.errno in (errno.EPERM, errno.EACCES):
            return True
    return isinstance(error, tf_v1.errors.PermissionDeniedError)


def _exception_type(error: BaseException) -> str:
    cls = type(error)
    name = str(cls.__name__)
    if name in RESERVED_TYPES:
        return f"{cls.__module__}.{cls.__qualname__}"
    return name


def _message(error: BaseException) -> str:
    """``str(error)``, at most ``LIMITS.max_error_chars`` long (a snippet's message may be
    megabytes)."""
    text = str(error)
    if not isinstance(text, str):
        text = repr(text)
    if len(text) > LIMITS.max_error_chars:
        note = (f" [cut: the message has {len(text):,} characters; at most "
                f"{LIMITS.max_error_chars:,} are kept]")
        text = text[:LIMITS.max_error_chars - len(note)] + note
    return text


_OOM = re.compile(r"OOM when allocating tensor with shape\[([\d,]*)\] and type (\w+)")
_DTYPE_BYTES = {"bool": 1, "int8": 1, "uint8": 1, "qint8": 1, "quint8": 1, "int16": 2,
                "uint16": 2, "half": 2, "bfloat16": 2, "float": 4, "int32": 4, "uint32": 4,
                "qint32": 4, "double": 8, "int64": 8, "uint64": 8, "complex64": 8,
                "complex128": 16}


_FRAME_LINE = re.compile(r'^ *File "(?P<file>[^"]+)", line \d+, in .*\n(?: {6,}\S.*\n)?',
                         re.MULTILINE)


def _without_own_frames(message: str) -> str:
    """TF's own error texts (autograph's "in user code:") list stack frames; ScopeViz's
    hooks between the snippet and TF are not the user's code and their paths are the
    server's: those frames go."""
    return _FRAME_LINE.sub(lambda m: "" if m.group("file") in tracer.OWN_FILES else m.group(0),
                           message)


def _tensor_too_big(error: BaseException) -> bool:
    return (isinstance(error, tf_v1.errors.ResourceExhaustedError)
            and _OOM.search(str(error)) is not None)


def _gib(size: float) -> str:
    return f"{size / 2 ** 30:,.1f} GiB"


def _memory_message(error: BaseException, memory_limit: int) -> str:
    """What was asked for, when known, and what a run may use."""
    allowed = f"runs may use {_gib(memory_limit)} beyond the worker's own memory"
    match = _OOM.search(str(error)) if not isinstance(error, MemoryError) else None
    if match:
        shape = [int(d) for d in match.group(1).split(",") if d]
        size = math.prod(shape) * _DTYPE_BYTES.get(match.group(2), 1)
        return (f"TensorFlow tried to allocate {_gib(size)} for a {match.group(2)} tensor of "
                f"shape [{match.group(1)}]; {allowed}")
    detail = _message(error)
    if detail:  # numpy says "Unable to allocate 7.28 TiB for an array with shape ..."
        return f"{detail}; {allowed}"
    return f"the snippet ran out of memory; {allowed}"


def describe_error(error: BaseException, filename: str, hosted: bool = False,
                   memory_limit: int = 0) -> dict[str, Any]:
    """Turns an exception into the trace's error dict, located at the innermost snippet line.

    In hosted mode an operation the sandbox refused is reported as ``Blocked``. The snippet's
    own exception may run code when described (a ``__str__``): that runs under the run's time
    limit, and if it fails the error is still reported.
    """
    if isinstance(error, SnippetTimeout):
        kind, message = "Timeout", str(error)
    elif isinstance(error, BoundExceeded):  # printed output or reported events
        kind, message = "OutputLimit", str(error)
    elif isinstance(error, MemoryError) or _tensor_too_big(error):
        kind, message = "MemoryLimit", _memory_message(error, memory_limit)
    elif isinstance(error, OSError) and error.errno == errno.EFBIG:
        kind, message = "OutputLimit", "the snippet wrote more raw output than the limit"
    elif hosted and _refused(error):
        kind, message = "Blocked", f"hosted mode does not allow this ({_message(error)})"
    elif isinstance(error, SystemExit):
        kind, message = "SystemExit", f"the snippet called sys.exit({error.code!r})"[:200]
    else:
        try:
            kind, message = _exception_type(error), _message(error)
        except SnippetTimeout:
            raise
        except BaseException as exc:  # noqa: BLE001 - describing must not fail the report
            kind = _exception_type(error)
            message = f"(the exception's message could not be read: {type(exc).__name__})"
    message = _without_own_frames(message)
    line = column = None
    if isinstance(error, SyntaxError) and error.filename == filename:
        message = str(error.msg)[:LIMITS.max_error_chars]
        line, column = error.lineno, error.offset
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line, column = tb.tb_lineno, _column(tb)
        tb = tb.tb_next
    return {"type": kind[:LIMITS.max_name_chars], "message": message, "line": line,
            "column": column}


def graph_ops(limit: int) -> tuple[list[str], int]:
    """Names of the ops in the run's graph, leaving out the ops inside variables.

    A variable's own ops (``v``, ``v/Assign``, ``v/read``, ``v/Initializer/...``) are the
    variable itself; what is left is the model's ops, for "show ops".

    Returns:
        At most ``limit`` names in creation order, and how many there were in all.
    """
    graph = tf_v1.get_default_graph()
    variables = {v.op.name for v in graph.get_collection(tf_v1.GraphKeys.GLOBAL_VARIABLES)}
    variables |= {v.op.name for v in graph.get_collection(tf_v1.GraphKeys.LOCAL_VARIABLES)}
    names = []
    for op in graph.get_operations():
        parts = op.name.split("/")
        if any("/".join(parts[:i]) in variables for i in range(1, len(parts) + 1)):
            continue
        names.append(op.name)
    return names[:limit], len(names)


def read_checkpoint(prefix: str, sender: Sender) -> None:
    """Sends the checkpoint's keys (before the snippet runs, so nothing it does can change
    what is read), or why it could not be read; the snippet runs either way."""
    try:
        keys = checkpoint_keys.read(prefix)
    except Exception as exc:  # noqa: BLE001 - an unreadable upload is a finding, not a crash
        sender.send({"k": "ckerr", "message": f"{type(exc).__name__}: {_message(exc)}"})
        return
    for key in keys:
        sender.event(key, kind="ck")


def saved_keys(names: dict[str, Any], space: str, flavour: str, sender: Sender) -> None:
    """TF2 mode: the keys a checkpoint of the snippet's ``ckpt_root`` holds and those
    ``save_weights_root.save_weights()`` writes, each written into the run's own space with
    recording off (the checkpoint's ``save_counter`` is not the snippet's)."""
    recorder = tracer_tf2.current()
    tracer_tf2.stop()
    jobs = [("ckpt_root", "tf2_key", lambda root: tf2_checkpoint.checkpoint_keys(
                root, space, recorder.positions if recorder else {})),
            ("save_weights_root", "weights_key", lambda root: tf2_checkpoint.save_weights_keys(
                root, space, "keras3" if flavour == "tf2" else "tf_keras"))]
    for name, kind, keys_of in jobs:
        if name not in names:
            continue
        try:
            keys = keys_of(names[name])
        except Exception as exc:  # noqa: BLE001 - not a checkpointable root: said, not a crash
            sender.send({"k": "rooterr", "message": f"{name} could not be saved: "
                                                  f"{type(exc).__name__}: {_message(exc)}"})
            continue
        for key in keys:
            sender.event({"kind": kind, **key})


def _start_tf1(filename: str, sender: Sender) -> dict[str, Any]:
    """TF1 mode: a fresh default graph, the TF1 recorder, and ``tf`` as compat.v1."""
    tf_v1.reset_default_graph()
    tracer.start(filename, sender.event)
    return {"__builtins__": snippet_builtins(), "tf": tf_v1}


def _start_tf2(filename: str, sender: Sender) -> dict[str, Any]:
    """TF2 mode: real TF2 (the snippet imports what it uses), one op thread each way."""
    tf_v1.config.threading.set_intra_op_parallelism_threads(1)
    tf_v1.config.threading.set_inter_op_parallelism_threads(1)
    tracer_tf2.start(filename, sender.event)
    return {"__builtins__": builtins}


@dataclass(frozen=True)
class Mode:
    """What differs between the modes, chosen once per run: how recording starts (and the
    snippet's globals), whether the keys of a ``ckpt_root`` are saved after it ran, and
    whether the graph's ops are listed."""

    start: Callable[[str, Sender], dict[str, Any]]
    saves_keys: bool
    lists_ops: bool


TF1_MODE = Mode(start=_start_tf1, saves_keys=False, lists_ops=True)
TF2_MODE = Mode(start=_start_tf2, saves_keys=True, lists_ops=False)


def run(request: dict[str, Any], sender: Sender, hosted: bool = False,
        flavour: str = "tf1") -> None:
    """Executes the request's snippet in a fresh graph, streaming events, then sends ``done``.
    With ``cells`` (their first lines), the snippet is notebook cells run one after another
    in one module, each announced before it runs; the first to raise ends the run.

    The soft time limit (SIGALRM) covers everything the snippet can influence: its code,
    describing its exception, and listing its ops.
    """
    source, filename = str(request["source"]), str(request["filename"])
    timeout, output_limit = float(request["timeout"]), int(request["output_limit"])
    memory_limit = int(request["memory_limit"])
    budget = [output_limit]
    stdout = CappedStream("stdout", sender.send, budget, output_limit)
    stderr = CappedStream("stderr", sender.send, budget, output_limit)
    sys.stdout, sys.stderr = stdout, stderr
    mode = TF1_MODE if flavour == "tf1" else TF2_MODE
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": filename, **mode.start(filename, sender)})

    fired: list[str] = []  # the time limit's message, once it has struck

    def on_alarm(signum: int, frame: Any) -> None:
        fired.append(timeout_message(timeout))
        raise SnippetTimeout(fired[0])

    signal.signal(signal.SIGALRM, on_alarm)
    sys.modules["__main__"] = module
    error = None
    ops: list[str] = []
    total = 0
    started = time.perf_counter()
    try:
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            if request.get("checkpoint"):
                read_checkpoint(str(request["checkpoint"]), sender)
            starts = [int(line) for line in request.get("cells") or ()]
            for index, text in enumerate(placed(source, starts) if starts else [source]):
                if starts:  # where this cell's printing starts
                    sender.send({"k": "cell", "i": index})
                exec(compile(text, filename, "exec", dont_inherit=True), module.__dict__)
        except BaseException as exc:  # the snippet's failure is the result, whatever it is
            if fired and not isinstance(exc, SnippetTimeout):
                # The limit struck inside TF's C++ (pybind11 turns the exception into a
                # RuntimeError) or the snippet caught it and raised another: still a timeout.
                exc = SnippetTimeout(fired[0]).with_traceback(exc.__traceback__)
            error = describe_error(exc, filename, hosted, memory_limit)
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        if mode.saves_keys and request.get("space"):
            saved_keys(module.__dict__, str(request["space"]), flavour, sender)
        try:
            ops, total = graph_ops(LIMITS.max_ops) if mode.lists_ops else ([], 0)
        except Exception:  # noqa: BLE001 - a snippet that broke its graph still gets its trace
            ops, total = [], 0
    except SnippetTimeout as exc:  # raised while describing the error or listing ops
        elapsed_ms = (time.perf_counter() - started) * 1000.0
        error = describe_error(exc, filename, hosted, memory_limit)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    if sender.exceeded is not None:  # even if the snippet caught BoundExceeded
        error = {"type": "OutputLimit", "message": sender.exceeded, "line": None,
                 "column": None}
    elif error is None and (stdout.exceeded or stderr.exceeded):
        error = {"type": "OutputLimit", "line": None, "column": None,
                 "message": f"the snippet printed more than {output_limit} bytes"}
    sender.send({"k": "ops", "names": [n for n in ops if len(n) <= LIMITS.max_name_chars],
                 "total": total})
    sender.send({"k": "done", "error": error, "elapsed_ms": elapsed_ms})
