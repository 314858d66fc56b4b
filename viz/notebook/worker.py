"""The kernel's one ScopeViz worker: started by the first run (TensorFlow imports in the
worker's process, not the kernel's), shared by every later run, stopped with the kernel."""

from __future__ import annotations

import atexit
import threading

from viz.backend.executor import Executor

_lock = threading.Lock()
_executor: list[Executor] = []  # at most one


def executor() -> Executor:
    """The worker, started on first use (its first run of a mode waits for TF's import)."""
    with _lock:
        if not _executor:
            _executor.append(Executor())
            _executor[0].start()
            atexit.register(_executor[0].close)
        return _executor[0]


def warm(mode: str) -> bool:
    """True when a run of ``mode`` starts at once (no TensorFlow import to wait for)."""
    return bool(_executor) and _executor[0].ready_for(mode)
