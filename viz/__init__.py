"""ScopeViz: see how TensorFlow names, shares and uniquifies variables.

``from viz import Executor`` still works, but lazily: ``import viz.core.render`` loads neither
the backend nor ``subprocess``. In a notebook: ``viz.show(source)``, ``viz.check(source,
checkpoint)``, ``viz.diff(a, b)``, and ``%load_ext viz`` for the ``%%scopeviz`` magic.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {"Executor": "viz.backend.executor", "WorkerPool": "viz.backend.pool",
            "ErrorInfo": "viz.core.trace", "Trace": "viz.core.trace",
            "show": "viz.notebook.results", "check": "viz.notebook.results",
            "diff": "viz.notebook.results"}

__all__ = sorted([*_EXPORTS, "load_ipython_extension"])


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext viz``: the ``%%scopeviz`` cell magic (see :mod:`viz.notebook.magic`)."""
    import_module("viz.notebook.magic").load(shell)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'viz' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
