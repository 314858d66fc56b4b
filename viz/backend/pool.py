"""A pool of warm workers for a room of people: bounded waiting, ServerBusy when full."""

from __future__ import annotations

import os
import queue
import threading
from typing import Any

from viz.backend.executor import DEFAULT_TIMEOUT_S, Executor
from viz.trace import ErrorInfo, Trace

# Runs that may wait for a free worker; one more is answered ServerBusy at once.
DEFAULT_QUEUE_LIMIT = 64


class WorkerPool:
    """Runs snippets on the first free worker of a fixed set of :class:`Executor` workers.

    Each worker serves one run at a time in a fresh forked child, so runs never share state;
    a slow or bad snippet holds only its own worker, for at most its time limit.

    Args:
        size: number of workers (default: one per core).
        queue_limit: how many runs may wait for a worker before ``ServerBusy`` is returned.
        executor_options: passed to every :class:`Executor` (limits).
    """

    def __init__(self, size: int | None = None, queue_limit: int = DEFAULT_QUEUE_LIMIT,
                 **executor_options: Any) -> None:
        self.size = size or os.cpu_count() or 1
        self.queue_limit = queue_limit
        self._workers = [Executor(**executor_options) for _ in range(self.size)]
        self._idle: queue.Queue[Executor] = queue.Queue()
        for worker in self._workers:
            self._idle.put(worker)
        self._waiting = 0
        self._lock = threading.Lock()

    def __enter__(self) -> WorkerPool:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def start(self) -> None:
        """Starts every worker's TF import in the background."""
        for worker in self._workers:
            worker.start()

    def warm_up(self) -> None:
        """Waits until every worker has imported TF."""
        for worker in self._workers:
            worker.warm_up()

    def close(self) -> None:
        for worker in self._workers:
            worker.close()

    @property
    def waiting(self) -> int:
        """Runs waiting for a free worker right now."""
        return self._waiting

    def run(self, source: str, filename: str = "snippet.py",
            timeout: float = DEFAULT_TIMEOUT_S) -> Trace:
        """Like :meth:`Executor.run`; a ``ServerBusy`` trace at once when the queue is full."""
        with self._lock:
            if self._waiting >= self.queue_limit:
                return Trace(error=ErrorInfo(
                    "ServerBusy", f"all {self.size} workers are busy and {self._waiting} runs "
                    "are waiting; try again in a few seconds"), filename=filename)
            self._waiting += 1
        try:
            worker = self._idle.get()
        finally:
            with self._lock:
                self._waiting -= 1
        try:
            return worker.run(source, filename=filename, timeout=timeout)
        finally:
            self._idle.put(worker)
