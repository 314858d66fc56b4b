"""ScopeViz: see how TensorFlow 1 names, shares and uniquifies variables."""

from viz.backend.executor import Executor
from viz.backend.pool import WorkerPool
from viz.trace import ErrorInfo, Trace

__all__ = ["ErrorInfo", "Executor", "Trace", "WorkerPool"]
