"""Runs for a room of people: a bounded number at once, bounded waiting, ServerBusy when full."""

from __future__ import annotations

import os
import threading
from typing import Any

from viz.backend.executor import Executor
from viz.backend.policy import LIMITS
from viz.core.trace import ErrorInfo, Trace


def default_size(memory_limit: int = LIMITS.memory_bytes) -> int:
    """Runs at once: four per core, as many as three quarters of the memory hold at the
    run's memory limit (plus the ~0.5 GB a fresh process touches)."""
    cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError):
        return cores
    return max(1, min(LIMITS.runs_per_core * cores, int(memory * 0.75) // (memory_limit + 2 ** 29)))


class WorkerPool:
    """Runs snippets for a room: up to ``size`` at once, side by side on one warm zygote.

    Each run is its own forked process; the OS shares the cores between them and the zygote
    lowers a run that has used more than a second of CPU, so a loop cannot hold up the short
    runs next to it. Runs beyond ``size`` wait in a queue of ``queue_limit``; one more is
    answered ``ServerBusy`` at once.

    Args:
        size: how many runs execute at once (default: :func:`default_size`).
        queue_limit: how many runs may wait before ``ServerBusy`` is returned.
        executor_options: passed to the :class:`Executor` (limits, hosted).
    """

    def __init__(self, size: int | None = None, queue_limit: int = LIMITS.queue_limit,
                 **executor_options: Any) -> None:
        self.executor = Executor(**executor_options)
        self.size = size or default_size(self.executor.memory_limit)
        self.queue_limit = queue_limit
        self._slots = threading.BoundedSemaphore(self.size)
        self._waiting = 0
        self._running = 0
        self._lock = threading.Lock()

    def __enter__(self) -> WorkerPool:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def start(self) -> None:
        """Starts the zygote's TF import in the background."""
        self.executor.start()

    def warm_up(self) -> None:
        """Waits until TF is imported."""
        self.executor.warm_up()

    def close(self) -> None:
        self.executor.close()

    @property
    def ready(self) -> bool:
        """True once TF is imported and runs start at once."""
        return self.executor.ready

    @property
    def waiting(self) -> int:
        """Runs waiting for a free place right now."""
        return self._waiting

    @property
    def running(self) -> int:
        """Runs that hold a place right now (executing, or about to)."""
        return self._running

    def run(self, source: str, filename: str = "snippet.py",
            timeout: float = LIMITS.timeout_s, checkpoint: str | None = None,
            mode: str = "tf1") -> Trace:
        """Like :meth:`Executor.run`; a ``ServerBusy`` trace at once when the queue is full."""
        if not self._slots.acquire(blocking=False):
            with self._lock:
                if self._waiting >= self.queue_limit:
                    return Trace(error=ErrorInfo(
                        "ServerBusy", f"{self.size} runs are executing and {self._waiting} are "
                        "waiting; try again in a few seconds"), filename=filename)
                self._waiting += 1
            try:
                self._slots.acquire()
            finally:
                with self._lock:
                    self._waiting -= 1
        with self._lock:
            self._running += 1
        try:
            return self.executor.run(source, filename=filename, timeout=timeout,
                                     checkpoint=checkpoint, mode=mode)
        finally:
            with self._lock:
                self._running -= 1
            self._slots.release()
