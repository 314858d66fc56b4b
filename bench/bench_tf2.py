"""Benchmark: a warm TF2-mode run of a small Keras model, beside TF1 mode and raw TF2.

Usage: python bench/bench_tf2.py [--repeat N]

Medians of N alternating runs (ms): ``Executor.run(mode="tf2")`` end to end on a warm zygote
(fork, sealing, run, report), the same for a TF1 snippet of the same size, and raw TF2: the
snippet executed in a process forked from this warm one (TF and Keras imported, no op run:
what a fresh process needs for its first eager ops is part of any TF2 run), no hooks.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viz import Executor  # noqa: E402

KERAS_MODEL = """\
import tensorflow as tf
import keras
model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(16), keras.layers.Dense(4)])
y = model(tf.ones([2, 8]))
"""
TF1_MODEL = """\
x = tf.placeholder(tf.float32, [None, 8])
h = tf.layers.dense(x, 16)
y = tf.layers.dense(h, 4)
"""


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000.0


def raw_tf2_in_a_fork() -> float:
    """The snippet in a child of this process, timed inside the child (no hooks)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        started = time.perf_counter()
        exec(KERAS_MODEL, {"__name__": "__main__"})
        os.write(write, str((time.perf_counter() - started) * 1000.0).encode())
        os._exit(0)
    os.close(write)
    data = os.read(read, 64)
    os.close(read)
    os.waitpid(pid, 0)
    return float(data)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    os.environ.pop("TF_USE_LEGACY_KERAS", None)
    import keras  # noqa: F401 - warm, as the zygote is: imported, no op run
    import tensorflow  # noqa: F401

    tf2, tf1, raw = [], [], []
    with Executor() as executor:
        executor.warm_up("tf2")
        executor.warm_up("tf1")
        for attempt in range(args.repeat + 1):
            results = [timed(lambda: executor.run(KERAS_MODEL, mode="tf2")),
                       timed(lambda: executor.run(TF1_MODEL)), raw_tf2_in_a_fork()]
            if attempt:  # the first round warms the page cache
                for store, value in zip((tf2, tf1, raw), results):
                    store.append(value)
        check = executor.run(KERAS_MODEL, mode="tf2")
        assert check.ok and len(check.tf2_variables) == 4, check.error
    print("| run | median ms |")
    print("| --- | ---: |")
    print("| TF2 mode, Keras 3 Sequential (2 Dense), Executor.run | "
          f"{statistics.median(tf2):,.0f} |")
    print(f"| TF1 mode, 2 tf.layers.dense, Executor.run | {statistics.median(tf1):,.0f} |")
    print(f"| raw TF2, same snippet, fresh fork, no hooks | {statistics.median(raw):,.0f} |")


if __name__ == "__main__":
    main()
