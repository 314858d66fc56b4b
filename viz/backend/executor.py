"""Executor: runs snippets in a warm worker process and turns what it streams into a Trace."""

from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile
import threading
import time
from typing import Any

from viz.backend.execute import start_worker
from viz.trace import ErrorInfo, Trace, event_from_dict

DEFAULT_TIMEOUT_S = 10.0
DEFAULT_OUTPUT_LIMIT = 1_000_000
# Memory a run may use on top of the worker's own size (TF's virtual size is ~1.7 GB).
DEFAULT_MEMORY_LIMIT = 1536 * 1024 * 1024
MAX_SNIPPET_BYTES = 256 * 1024
# Importing TF takes about 5 s on a quiet machine; allow for a loaded one.
STARTUP_TIMEOUT_S = 180.0
# How long past its time limit a run may take before the worker itself is presumed stuck.
WORKER_MARGIN_S = 10.0


class WorkerUnavailable(RuntimeError):
    """The worker could not be started (TensorFlow failed to import, for example)."""


class _LineReader:
    """Reads newline-terminated lines from a pipe, with a deadline on each line."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._buffer = b""

    def read_line(self, deadline: float) -> bytes | None:
        """Returns the next line, or None on end of file or when the deadline passes."""
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._fd], [], [], remaining)[0]:
                return None
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line


class _Run:
    """Collects the messages of one run and decides how it ended."""

    def __init__(self, filename: str, timeout: float) -> None:
        self.filename = filename
        self.timeout = timeout
        self.events: list[dict[str, Any]] = []
        self.output = {"stdout": [], "stderr": []}
        self.ops: list[str] = []
        self.ops_total = 0
        self.done: dict[str, Any] | None = None
        self.exit: dict[str, Any] | None = None

    def take(self, message: dict[str, Any]) -> bool:
        """Records one message; True once the worker's final ``exit`` line arrived."""
        kind = message.get("k")
        if kind == "ev":
            self.events.append(message["e"])
        elif kind == "out":
            self.output[message["s"]].append(message["t"])
        elif kind == "ops":
            self.ops, self.ops_total = message["names"], message["total"]
        elif kind == "done":
            self.done = message
        elif kind == "exit":
            self.exit = message
            return True
        return False

    def error(self) -> ErrorInfo | None:
        if self.done is not None:
            error = self.done["error"]
            return ErrorInfo(**error) if error else None
        last_line = next((e["line"] for e in reversed(self.events) if e.get("line")), None)
        exit_info = self.exit or {}
        if exit_info.get("timed_out"):
            return ErrorInfo("Timeout", f"the snippet ran longer than its time limit of "
                             f"{self.timeout:g} s and was stopped", last_line)
        if exit_info.get("signal"):
            return ErrorInfo("WorkerCrashed", f"the process running the snippet died with "
                             f"{exit_info['signal']}", last_line)
        if exit_info:
            return ErrorInfo("SystemExit", f"the snippet ended its process with exit code "
                             f"{exit_info.get('code')} (os._exit?)", last_line)
        return ErrorInfo("WorkerCrashed", "the worker process stopped answering and was "
                         "replaced", last_line)

    def trace(self, wall_ms: float) -> Trace:
        exit_info = self.exit or {}
        stdout = "".join(self.output["stdout"]) + exit_info.get("raw_stdout", "")
        stderr = "".join(self.output["stderr"]) + exit_info.get("raw_stderr", "")
        return Trace(
            events=[event_from_dict(e) for e in self.events],
            error=self.error(),
            stdout=stdout,
            stderr=stderr,
            elapsed_ms=self.done["elapsed_ms"] if self.done else wall_ms,
            ops=self.ops,
            ops_total=self.ops_total,
            filename=self.filename,
        )


class Executor:
    """Runs TF1 scoping snippets in an isolated warm worker process.

    Usage::

        with Executor() as ex:
            trace = ex.run(source, filename="snippet.py", timeout=10.0)

    :meth:`run` never raises for anything the snippet does; the outcome is in the trace. Runs are
    serialised: one worker serves one run at a time, each in a fresh forked child.

    Args:
        output_limit: bytes of printed output a run may produce (``OutputLimit``).
        memory_limit: bytes a run may use on top of the worker's size (``MemoryLimit``).
        hosted: seal each run in the kernel sandbox of :mod:`viz.backend.sandbox` (no files
            outside Python's, no network, no processes, no server environment).
    """

    def __init__(self, output_limit: int = DEFAULT_OUTPUT_LIMIT,
                 memory_limit: int = DEFAULT_MEMORY_LIMIT, hosted: bool = False) -> None:
        self.output_limit = output_limit
        self.memory_limit = memory_limit
        self.hosted = hosted
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: _LineReader | None = None
        self._log: Any = None
        self._ready = False
        self.tf_version: str | None = None

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def start(self) -> None:
        """Starts the worker without waiting for TF to import (the first run waits)."""
        with self._lock:
            if self._process is None:
                self._spawn()

    def _spawn(self) -> None:
        self._log = tempfile.TemporaryFile()
        self._process = start_worker(self._log, hosted=self.hosted)
        assert self._process.stdout is not None
        self._reader = _LineReader(self._process.stdout.fileno())
        self._ready = False

    def _stop(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.wait()
            for pipe in (self._process.stdin, self._process.stdout):
                if pipe is not None:
                    pipe.close()
            self._log.close()
        self._process = None
        self._reader = None
        self._ready = False

    def close(self) -> None:
        """Stops the worker."""
        with self._lock:
            self._stop()

    def _wait_ready(self) -> None:
        assert self._reader is not None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._ready:
            line = self._reader.read_line(deadline)
            if line is None:
                self._log.seek(0)
                log = self._log.read().decode("utf-8", "replace").strip().splitlines()
                self._stop()
                raise WorkerUnavailable("the TensorFlow worker did not start: "
                                        + (log[-1] if log else "no output"))
            message = json.loads(line)
            if message.get("k") == "ready":
                self._ready = True
                self.tf_version = message["tf"]

    def warm_up(self) -> None:
        """Starts the worker if needed and waits until TF is imported.

        Raises:
            WorkerUnavailable: the worker could not import TensorFlow.
        """
        with self._lock:
            if self._process is None:
                self._spawn()
            self._wait_ready()

    def run(self, source: str, filename: str = "snippet.py",
            timeout: float = DEFAULT_TIMEOUT_S) -> Trace:
        """Runs a snippet in a fresh graph and returns its trace.

        Args:
            source: the snippet's Python text.
            filename: the name errors and line numbers refer to.
            timeout: wall-clock seconds before the run is stopped with a ``Timeout`` error.
        """
        size = len(source.encode("utf-8", "surrogatepass"))
        if size > MAX_SNIPPET_BYTES:
            return Trace(error=ErrorInfo("SnippetTooLarge", f"the snippet is {size} bytes; the "
                                         f"limit is {MAX_SNIPPET_BYTES} bytes"),
                         filename=filename)
        with self._lock:
            if self._process is None:
                self._spawn()
            try:
                self._wait_ready()
            except WorkerUnavailable as exc:
                return Trace(error=ErrorInfo("WorkerUnavailable", str(exc)), filename=filename)
            return self._run_locked(source, filename, timeout)

    def _run_locked(self, source: str, filename: str, timeout: float) -> Trace:
        assert self._process is not None and self._process.stdin is not None
        assert self._reader is not None
        run = _Run(filename, timeout)
        started = time.perf_counter()
        request = {"source": source, "filename": filename, "timeout": timeout,
                   "output_limit": self.output_limit, "memory_limit": self.memory_limit,
                   "hosted": self.hosted}
        try:
            self._process.stdin.write((json.dumps(request) + "\n").encode("utf-8"))
            self._process.stdin.flush()
        except OSError:
            self._stop()
            return run.trace((time.perf_counter() - started) * 1000.0)
        deadline = time.monotonic() + timeout + WORKER_MARGIN_S
        finished = False
        while not finished:
            line = self._reader.read_line(deadline)
            if line is None:
                break
            try:
                message = json.loads(line)
            except ValueError:
                continue  # half a line left by a child killed mid-write
            finished = run.take(message)
        if not finished:
            self._stop()
        return run.trace((time.perf_counter() - started) * 1000.0)
