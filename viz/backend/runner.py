"""Runs one snippet in a forked child of the worker: TF1 mode, captured output, errors as data."""

from __future__ import annotations

import builtins
import errno
import io
import signal
import sys
import time
import types
from typing import Any, Callable

import tensorflow.compat.v1 as tf_v1

from viz.backend import tracer

Send = Callable[[dict[str, Any]], None]

# Enough ops to draw; a 10,000-variable model has far more than anyone can read in one graph.
OPS_LIMIT = 5000


class SnippetTimeout(BaseException):
    """Raised in the snippet when its time is up (a BaseException: `except Exception` misses it)."""


class OutputLimitExceeded(BaseException):
    """Raised inside the snippet when it printed more than the output limit."""


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
            raise OutputLimitExceeded(f"the snippet printed more than {self._limit} bytes")
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


def describe_error(error: BaseException, filename: str, hosted: bool = False) -> dict[str, Any]:
    """Turns an exception into the trace's error dict, located at the innermost snippet line.

    In hosted mode an operation the sandbox refused is reported as ``Blocked``.
    """
    if isinstance(error, SnippetTimeout):
        kind, message = "Timeout", str(error)
    elif isinstance(error, OutputLimitExceeded):
        kind, message = "OutputLimit", str(error)
    elif isinstance(error, MemoryError):
        kind, message = "MemoryLimit", ("the snippet ran out of memory (its limit is the "
                                        "worker's size plus the run's memory limit)")
    elif isinstance(error, OSError) and error.errno == errno.EFBIG:
        kind, message = "OutputLimit", "the snippet wrote more raw output than the limit"
    elif hosted and _refused(error):
        kind, message = "Blocked", f"hosted mode does not allow this ({error})"
    elif isinstance(error, SystemExit):
        kind, message = "SystemExit", f"the snippet called sys.exit({error.code!r})"
    else:
        kind, message = type(error).__name__, str(error)
    line = column = None
    if isinstance(error, SyntaxError) and error.filename == filename:
        message = error.msg
        line, column = error.lineno, error.offset
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line, column = tb.tb_lineno, _column(tb)
        tb = tb.tb_next
    return {"type": kind, "message": message, "line": line, "column": column}


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


def run(source: str, filename: str, timeout: float, output_limit: int, send: Send,
        hosted: bool = False) -> None:
    """Executes the snippet in a fresh graph, streaming events, then sends ``done``."""
    budget = [output_limit]
    stdout = CappedStream("stdout", send, budget, output_limit)
    stderr = CappedStream("stderr", send, budget, output_limit)
    sys.stdout, sys.stderr = stdout, stderr
    tf_v1.reset_default_graph()
    tracer.start(filename, lambda event: send({"k": "ev", "e": event}))

    def on_alarm(signum: int, frame: Any) -> None:
        raise SnippetTimeout(f"the snippet ran longer than its time limit of {timeout:g} s")

    signal.signal(signal.SIGALRM, on_alarm)
    module = types.ModuleType("__main__")
    module.__dict__.update({"__file__": filename, "__builtins__": snippet_builtins(),
                            "tf": tf_v1})
    sys.modules["__main__"] = module
    error = None
    started = time.perf_counter()
    try:
        code = compile(source, filename, "exec", dont_inherit=True)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        exec(code, module.__dict__)
    except BaseException as exc:  # the snippet's failure is the result, whatever it is
        error = describe_error(exc, filename, hosted)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    elapsed_ms = (time.perf_counter() - started) * 1000.0
    if error is None and (stdout.exceeded or stderr.exceeded):
        error = {"type": "OutputLimit", "line": None, "column": None,
                 "message": f"the snippet printed more than {output_limit} bytes"}
    try:
        ops, total = graph_ops(OPS_LIMIT)
    except Exception:  # noqa: BLE001 - a snippet that broke its graph still gets its trace
        ops, total = [], 0
    send({"k": "ops", "names": ops, "total": total})
    send({"k": "done", "error": error, "elapsed_ms": elapsed_ms})
