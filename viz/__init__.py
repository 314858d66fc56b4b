"""ScopeViz: see how TensorFlow names, shares and uniquifies variables.

``from viz import Executor`` still works, but lazily: ``import viz.core.render`` loads neither
the backend nor ``subprocess``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {"Executor": "viz.backend.executor", "WorkerPool": "viz.backend.pool",
            "ErrorInfo": "viz.core.trace", "Trace": "viz.core.trace"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'viz' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
