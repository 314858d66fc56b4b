"""Raw TensorFlow, the benchmarks' yardstick: a snippet executed in the bench's own process,
without ScopeViz."""

from __future__ import annotations

import contextlib
import io
import os
import time


def raw_tf_ms(source: str) -> float:
    """The snippet in this process, a fresh TF1 graph each time: best of 5, in ms."""
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.layers, as the TF1 worker has it
    import tensorflow.compat.v1 as tf

    tf.disable_eager_execution()
    best = float("inf")
    for _ in range(5):
        with tf.Graph().as_default(), contextlib.redirect_stdout(io.StringIO()):
            started = time.perf_counter()
            exec(compile(source.replace("import tensorflow as tf", ""), "snippet", "exec"),
                 {"tf": tf, "__name__": "__main__"})
            best = min(best, time.perf_counter() - started)
    return best * 1000
