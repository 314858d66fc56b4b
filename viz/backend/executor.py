"""Executor: runs snippets in processes forked by a warm TF zygote, each over its own channel.

For every run the executor makes a fresh socket pair and two in-memory files for raw output,
hands the zygote the run's ends (SCM_RIGHTS) with a ``spawn`` command, then writes the source
and reads the report on its own end. The zygote only ever sees file descriptors and numbers;
the report is checked message by message by :class:`viz.backend.channel.RunReport`.
"""

from __future__ import annotations

import array
import dataclasses
import glob
import itertools
import json
import logging
import os
import select
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from viz.backend import control, namespaces
from viz.backend.channel import RunReport, timeout_message
from viz.backend.execute import start_worker
from viz.backend.policy import LIMITS
from viz.core.names import KERAS3, TF1, TF2, TF_KERAS
from viz.core.trace import ErrorInfo, Trace

# How long past its time limit a run may take before the zygote itself is presumed stuck.
WORKER_MARGIN_S = 10.0
# After the zygote reports a run's end, what is still in flight on its socket arrives at once.
DRAIN_S = 2.0
_READ_BYTES = 1 << 16
# While a run goes on, its report is read in batches, at most every tenth of the run's age
# and every BATCH_S: woken at each event (the run writes each at once), the executor spent
# 0.6-0.9 s of CPU during a 1,000-variable model, which a 2-core VM took from the run itself
# (1,400 wake-ups, the run 10-20% slower). A batch is read whole, up to BATCH_BYTES.
BATCH_S = 0.05
BATCH_FRACTION = 0.1
BATCH_BYTES = 4 << 20


_said: set[str] = set()


def _say_once(no_namespaces: str) -> None:
    """Says once in the server's log that runs here have no PID namespace: nothing a local
    run starts is then sure to end with it, and hosted runs are refused."""
    if no_namespaces and no_namespaces not in _said:
        _said.add(no_namespaces)
        logging.getLogger(__name__).warning(
            "ScopeViz: runs get no namespaces of their own on this machine: %s. Local runs "
            "go on in process groups; hosted runs are refused (Blocked).", no_namespaces)


class WorkerUnavailable(RuntimeError):
    """The worker could not be started (TensorFlow failed to import, for example)."""


@dataclass
class _Pending:
    """A run the zygote was asked to start, until it reports the run's end."""

    ended: threading.Event = field(default_factory=threading.Event)
    exit: control.Ended | None = None


class _Zygote:
    """One zygote process and its control socket; a reader thread routes its ``ended``
    reports to the runs waiting for them. Once it dies it stays dead (the executor starts
    another)."""

    def __init__(self, hosted: bool, flavour: str = "tf1") -> None:
        self.log = tempfile.TemporaryFile()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.control = ours
        self.flavour = flavour
        self.process: subprocess.Popen[bytes] = start_worker(self.log, theirs.fileno(),
                                                             hosted=hosted, flavour=flavour)
        theirs.close()
        self.ready = threading.Event()
        self.tf_version: str | None = None
        self.alive = True
        self._pending: dict[int, _Pending] = {}
        self._lock = threading.Lock()
        threading.Thread(target=self._read, name="scopeviz-zygote", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                data = self.control.recv(control.MAX_BYTES)
            except OSError:
                data = b""
            if not data:
                break
            try:
                message = control.decode(data, control.Ready, control.Ended)
            except control.BadControlMessage as exc:  # a broken zygote: replaced like a dead one
                logging.getLogger(__name__).error("ScopeViz: the zygote sent %s", exc)
                break
            if isinstance(message, control.Ready):
                self.tf_version = message.tf
                _say_once(message.no_namespaces)
                self.ready.set()
            else:
                with self._lock:
                    pending = self._pending.pop(message.id, None)
                if pending is not None:
                    pending.exit = message
                    pending.ended.set()
        with self._lock:
            self.alive = False
            pending_runs, self._pending = list(self._pending.values()), {}
        for pending in pending_runs:
            pending.ended.set()
        self.ready.set()

    def wait_ready(self) -> None:
        """Raises WorkerUnavailable when TF did not come up."""
        self.ready.wait(LIMITS.startup_timeout_s)
        if self.tf_version is None:
            self.log.seek(0)
            log = self.log.read().decode("utf-8", "replace").strip().splitlines()
            self.stop()
            raise WorkerUnavailable("the TensorFlow worker did not start: "
                                    + (log[-1] if log else "no output"))

    def spawn(self, spawn: control.Spawn, fds: list[int]) -> _Pending | None:
        """Asks for a run; None when the zygote is gone."""
        pending = _Pending()
        with self._lock:
            if not self.alive:
                return None
            self._pending[spawn.id] = pending
            try:
                self.control.sendmsg([control.encode(spawn)], [
                    (socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))])
            except OSError:
                del self._pending[spawn.id]
                return None
        return pending

    def stop_run(self, run_id: int) -> None:
        try:
            self.control.send(control.encode(control.Stop(run_id)))
        except OSError:
            pass

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()
        self.control.close()
        self.log.close()


class Executor:
    """Runs scoping snippets, each in a fresh process forked from a warm TF zygote: TF1 mode
    (``tensorflow.compat.v1`` in graph mode, the default) or TF2 mode, one zygote per
    flavour, each started when first needed.

    Usage::

        with Executor() as ex:
            trace = ex.run(source, filename="snippet.py", timeout=10.0)
            trace_tf2 = ex.run(source_tf2, mode="tf2")

    :meth:`run` never raises for anything the snippet does, whatever it writes anywhere; the
    outcome is in the trace. It may be called from several threads at once: the runs then
    execute side by side (the zygote lowers the priority of those that use much CPU).

    Args:
        output_limit: bytes of printed output a run may produce, stdout and stderr together.
        memory_limit: bytes a run may use on top of the worker's size (``MemoryLimit``).
        hosted: seal each run in the kernel sandbox of :mod:`viz.backend.sandbox` (no files
            outside Python's, no network, no processes, no server environment).
    """

    def __init__(self, output_limit: int = LIMITS.output_limit,
                 memory_limit: int = LIMITS.memory_bytes, hosted: bool = False) -> None:
        self.output_limit = output_limit
        self.memory_limit = memory_limit
        self.hosted = hosted
        self._lock = threading.Lock()
        # One zygote per flavour of TF (tf1, tf2, tf2-legacy), each started when first needed.
        self._zygotes: dict[str, _Zygote] = {}
        self._ids = itertools.count(1)

    def __enter__(self) -> Executor:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @property
    def tf_version(self) -> str | None:
        zygote = self._zygotes.get("tf1")
        return zygote.tf_version if zygote else None

    @property
    def ready(self) -> bool:
        """True once TF1 mode's TF is imported and its runs start at once."""
        return self.ready_for(TF1)

    def ready_for(self, mode: str) -> bool:
        """True once a mode's TF is imported (TF2 mode: Keras 3's flavour) and its runs
        start at once."""
        zygote = self._zygotes.get("tf1" if mode == TF1 else "tf2")
        return zygote is not None and zygote.tf_version is not None

    def start(self) -> None:
        """Starts TF1 mode's zygote without waiting for TF to import (the first run waits)."""
        self._current("tf1")

    def _current(self, flavour: str) -> _Zygote:
        with self._lock:
            zygote = self._zygotes.get(flavour)
            if zygote is None or not zygote.alive:
                if zygote is not None:
                    zygote.stop()
                zygote = self._zygotes[flavour] = _Zygote(self.hosted, flavour)
            return zygote

    def _replace(self, zygote: _Zygote) -> None:
        """Stops a zygote that stopped answering, so the next run starts a fresh one."""
        with self._lock:
            if self._zygotes.get(zygote.flavour) is zygote:
                del self._zygotes[zygote.flavour]
        zygote.stop()

    def close(self) -> None:
        """Stops the zygotes (and with them every run)."""
        with self._lock:
            zygotes, self._zygotes = list(self._zygotes.values()), {}
        for zygote in zygotes:
            zygote.stop()

    def warm_up(self, mode: str = TF1) -> None:
        """Starts a mode's zygote if needed and waits until TF is imported.

        Raises:
            WorkerUnavailable: the worker could not import TensorFlow.
        """
        self._current("tf1" if mode == TF1 else "tf2").wait_ready()

    def run(self, source: str, filename: str = "snippet.py",
            timeout: float = LIMITS.timeout_s, checkpoint: str | None = None,
            mode: str = TF1, cells: list[int] | None = None) -> Trace:
        """Runs a snippet in a fresh graph and returns its trace.

        Args:
            source: the snippet's Python text.
            filename: the name errors and line numbers refer to.
            timeout: wall-clock seconds before the run is stopped with a ``Timeout`` error.
            checkpoint: a checkpoint's prefix (``model.ckpt-1000``): the run reads its keys
                with TF's reader before the snippet runs, into ``trace.checkpoint``. Hosted,
                the run reads a private copy that only it may open, deleted when it ends.
            mode: ``tf1`` (``import tensorflow`` is compat.v1 in graph mode) or ``tf2`` (real
                TF2, eager, Keras 3 as ``keras`` and ``tf.keras``; tf-keras instead when a
                line ``# scopeviz: legacy-keras`` is among the first five).
            cells: the snippet is notebook cells starting at these lines (see
                :mod:`viz.core.cells`): run one after another, ``trace.cells`` says where
                each one's printing starts.

        Raises:
            ValueError: an unknown mode.
        """
        if mode not in (TF1, TF2):
            raise ValueError(f"mode must be {TF1!r} or {TF2!r}, not {mode!r}")
        flavour = "tf1" if mode == TF1 else "tf2-legacy" if legacy_keras(source) else "tf2"
        keras = None if mode == TF1 else TF_KERAS if flavour == "tf2-legacy" else KERAS3
        size = len(source.encode("utf-8", "surrogatepass"))
        if size > LIMITS.max_snippet_bytes:
            return Trace(error=ErrorInfo("SnippetTooLarge", f"the snippet is {size} bytes; the "
                                         f"limit is {LIMITS.max_snippet_bytes} bytes"),
                         filename=filename, mode=mode, keras=keras)
        zygote = self._current(flavour)
        try:
            zygote.wait_ready()
        except WorkerUnavailable as exc:
            return Trace(error=ErrorInfo("WorkerUnavailable", str(exc)), filename=filename,
                         mode=mode, keras=keras)
        request = {"source": source, "filename": filename, "timeout": timeout,
                   "output_limit": self.output_limit, "memory_limit": self.memory_limit,
                   "cells": list(cells or [])}
        if mode == TF1:
            return self._run(zygote, request, checkpoint, None)
        # a TF2 run writes its ckpt_root's checkpoint into a space of its own, gone with it:
        # a sealed run's own /tmp, else a folder of its own here
        if self.hosted:
            space = namespaces.SPACE
            trace = self._run(zygote, request, checkpoint, space)
        else:
            with tempfile.TemporaryDirectory(prefix="scopeviz-tf2-") as space:
                trace = self._run(zygote, request, checkpoint, space)
        root_error = trace.root_error and trace.root_error.replace(space, ".")
        return dataclasses.replace(trace, mode=mode, keras=keras, root_error=root_error)

    def _run(self, zygote: _Zygote, request: dict[str, Any], checkpoint: str | None,
             space: str | None) -> Trace:
        request = {**request, "space": space}
        if checkpoint is None:
            return _RunSession(self, zygote, request, []).run()
        if not self.hosted:
            return _RunSession(self, zygote, {**request, "checkpoint": checkpoint}, []).run()
        with tempfile.TemporaryDirectory(prefix="scopeviz-checkpoint-") as private:
            staged = stage_checkpoint(checkpoint, private)
            trace = _RunSession(self, zygote, {**request, "checkpoint": staged},
                                [private]).run()
        if trace.checkpoint_error:  # the private folder's path means nothing to the user
            shown = trace.checkpoint_error.replace(staged, checkpoint)
            trace = dataclasses.replace(trace, checkpoint_error=shown.replace(private, "."))
        return trace


def legacy_keras(source: str) -> bool:
    """A TF2 snippet opts into tf-keras with ``# scopeviz: legacy-keras`` in its first five
    lines."""
    return any(line.strip() == "# scopeviz: legacy-keras" for line in source.splitlines()[:5])


def stage_checkpoint(prefix: str, folder: str) -> str:
    """Copies a checkpoint's index and data files into ``folder`` (a fresh private folder);
    returns the copy's prefix. Files that are missing are simply not copied: the run's
    reader says what it lacks."""
    copy = os.path.join(folder, os.path.basename(prefix) or "checkpoint")
    for path in [f"{prefix}.index", *glob.glob(f"{glob.escape(prefix)}.data-*")]:
        if os.path.isfile(path):
            shutil.copyfile(path, copy + path[len(prefix):])
    return copy


class _RunSession:
    """One run from the executor's side: its socket, its raw output files, its report."""

    def __init__(self, executor: Executor, zygote: _Zygote, request: dict[str, Any],
                 readable: list[str]) -> None:
        self.executor = executor
        self.zygote = zygote
        self.request = request
        self.readable = readable  # folders the sealed run may read besides Python's
        self.timeout = float(request["timeout"])
        self.report = RunReport(executor.output_limit)
        self.started = time.perf_counter()

    def run(self) -> Trace:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        raw = [os.memfd_create("run-stdout"), os.memfd_create("run-stderr")]
        try:
            run_id = next(self.executor._ids)
            pending = self.zygote.spawn(control.Spawn(
                id=run_id, timeout=self.timeout, memory_limit=self.executor.memory_limit,
                hosted=self.executor.hosted, readable=tuple(str(p) for p in self.readable)),
                [theirs.fileno(), *raw])
            theirs.close()
            if pending is None:
                return self._trace(None, "the worker process stopped; the next run starts a "
                                         "new one")
            exit_info = self._talk(ours, run_id, pending, raw)
            for stream, fd in zip(("stdout", "stderr"), raw):
                # one byte past what is left tells whether the rest of the budget overflowed
                data = os.pread(fd, self.report.output_left + 1, 0)
                if data:
                    self.report.add_output(stream, data.decode("utf-8", "replace"))
            return self._trace(exit_info, None)
        finally:
            ours.close()
            theirs.close()
            for fd in raw:
                os.close(fd)

    def _talk(self, ours: socket.socket, run_id: int, pending: _Pending,
              raw: list[int]) -> dict[str, Any] | None:
        """Sends the request and reads the report until the run has ended and its socket is
        drained; stops the run at the first bound it crosses, raw output written to its files
        included. Returns the zygote's ``ended`` report (None when the zygote died)."""
        outgoing = memoryview((json.dumps(self.request) + "\n").encode("utf-8", "surrogatepass"))
        ours.setblocking(False)
        # poll, not select: a busy server's descriptor numbers may pass select's 1024.
        poller = select.poll()
        poller.register(ours, select.POLLIN | select.POLLOUT)
        begun = time.monotonic()
        deadline = begun + self.timeout + WORKER_MARGIN_S
        reading = True
        stopped = False
        ended_at: float | None = None
        while reading:
            now = time.monotonic()
            if pending.ended.is_set() and ended_at is None:
                ended_at = now
            if ended_at is not None and now > ended_at + DRAIN_S:
                break
            if now > deadline:
                self.executor._replace(self.zygote)  # the zygote stopped keeping time
                pending.ended.wait(1.0)
                break
            wait = 0.05 if ended_at is None else 0.01
            ready = poller.poll(wait * 1000)
            events = ready[0][1] if ready else 0
            readable = events & (select.POLLIN | select.POLLHUP | select.POLLERR)
            writable = events & select.POLLOUT
            if writable:
                try:
                    outgoing = outgoing[ours.send(outgoing):]
                except BlockingIOError:
                    pass
                except OSError:  # the run is gone before reading its request
                    outgoing = memoryview(b"")
                if not outgoing:
                    poller.modify(ours, select.POLLIN)
            if readable:
                reading = self._read_batch(ours)
                if ended_at is None:
                    time.sleep(min(BATCH_S, BATCH_FRACTION * (time.monotonic() - begun)))
            if ended_at is None:
                self.report.raw_written(sum(os.fstat(fd).st_size for fd in raw))
            if self.report.violation is not None and not stopped:
                self.zygote.stop_run(run_id)
                stopped = True
        self.report.finish()
        pending.ended.wait(max(0.0, deadline - time.monotonic()))
        if not pending.ended.is_set():
            self.executor._replace(self.zygote)
        return pending.exit

    def _read_batch(self, ours: socket.socket) -> bool:
        """Feeds the report what the socket holds now (up to BATCH_BYTES); False at its end."""
        taken = 0
        while taken < BATCH_BYTES:
            try:
                data = ours.recv(_READ_BYTES)
            except BlockingIOError:
                return True
            except OSError:
                data = b""
            if not data:
                return False
            self.report.feed(data)
            taken += len(data)
        return True

    def _trace(self, exit_info: control.Ended | None, lost: str | None) -> Trace:
        report = self.report
        wall_ms = (time.perf_counter() - self.started) * 1000.0
        error = report.violation
        if error is None and report.done:
            error = report.error
        elif error is None:
            error = self._exit_error(exit_info, lost)
        return Trace(
            events=report.events,
            error=error,
            stdout="".join(report.output["stdout"]),
            stderr="".join(report.output["stderr"]),
            elapsed_ms=report.elapsed_ms if report.elapsed_ms is not None else wall_ms,
            ops=report.ops,
            ops_total=report.ops_total,
            filename=str(self.request["filename"]),
            checkpoint=report.checkpoint if "checkpoint" in self.request else None,
            checkpoint_error=report.checkpoint_error,
            root_error=report.root_error,
            cells=report.cells,
        )

    def _exit_error(self, exit_info: control.Ended | None, lost: str | None) -> ErrorInfo:
        """Why a run that sent no ``done`` ended, from how its process ended."""
        last_line = self.report.last_line()
        if exit_info is None:
            return ErrorInfo("WorkerCrashed", lost or "the worker process stopped answering "
                             "and was replaced", last_line)
        if exit_info.error:
            return ErrorInfo("WorkerCrashed", exit_info.error, last_line)
        if exit_info.timed_out:
            return ErrorInfo("Timeout", timeout_message(self.timeout), last_line)
        if exit_info.signal:
            return ErrorInfo("WorkerCrashed", f"the process running the snippet died with "
                             f"{exit_info.signal}", last_line)
        return ErrorInfo("SystemExit", f"the snippet ended its process with exit code "
                         f"{exit_info.code} (os._exit?)", last_line)
