"""Benchmark: raw TF vs the traced run in the warm worker vs the end-to-end CLI.

Usage: python bench/bench_trace.py [--repeat N] [--only TEXT] [--hosted]

Prints a Markdown table for the seed snippets and for generated models of 1,000 and 10,000
variables:
- raw TF: the snippet executed in this (warm) process, fresh graph, no tracing hooks;
- traced: the same snippet's execution time inside the worker's child, with tracing;
- fork alone: the snippet without tracing in a child forked from this warm process, which
  isolates what a fresh process costs (generated models only);
- tracing cost: hooks off vs on in one process, which isolates what tracing itself adds from
  the differences between two processes (generated models only);
- Executor.run: the whole call on a warm worker (fork, run, streaming, parsing); with
  ``--hosted`` the worker seals each run (its namespaces, file tree and filters);
- CLI: `python -m viz trace FILE --format json` from a cold start (includes importing TF).

Times are the best of N interleaved runs; percentages are the median of the N paired ratios,
with their quartiles in brackets. This 2-core machine's run-to-run noise (10-20%) is larger
than the effects measured, so runs that ran side by side are compared rather than two separate
series, and the order within each pair alternates so that a drifting machine favours neither.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from viz import Executor  # noqa: E402
from viz.backend.execute import WORKER_ENV  # noqa: E402

# Raw TF in this process runs with the worker's settings (Keras 2, TF's own CPU allocator).
os.environ.update(WORKER_ENV)


def generated_model(variables: int) -> str:
    """A model of `variables` variables: blocks of get_variable layers and a tf.Variable each."""
    blocks = variables // 10
    return f'''import tensorflow as tf
x = tf.placeholder(tf.float32, [None, 8])
for block in range({blocks}):
    with tf.variable_scope("block_%d" % block):
        h = x
        for layer in range(3):
            with tf.variable_scope("layer_%d" % layer):
                w = tf.get_variable("w", [8, 8])
                b = tf.get_variable("b", [8], initializer=tf.zeros_initializer())
                h = tf.nn.relu(tf.matmul(h, w) + b)
        with tf.variable_scope("gate"):
            g = tf.get_variable("g", [8])
            s = tf.get_variable("s", [8])
        with tf.name_scope("stats"):
            count = tf.Variable(0, name="count", trainable=False)
            total = tf.Variable(0.0, name="total", trainable=False)
print(len(tf.global_variables()))
'''


def cases() -> list[tuple[str, str]]:
    seeds = ["seed_1_name_scope_vs_variable_scope", "seed_2_tf_variable_duplicates",
             "seed_3_get_variable_sharing", "seed_notebook"]
    found = [(stem, (ROOT / "examples" / f"{stem}.py").read_text(encoding="utf-8"))
             for stem in seeds]
    return found + [("generated 1,000 variables", generated_model(1000)),
                    ("generated 10,000 variables", generated_model(10000))]


def raw_tf_ms(source: str) -> float:
    """Runs the snippet in this process without tracing; returns its execution time."""
    import tensorflow.compat.v1 as tf

    from viz.backend.runner import snippet_builtins

    tf.reset_default_graph()
    namespace = {"__name__": "__main__", "tf": tf, "__builtins__": snippet_builtins()}
    code = compile(source, "bench.py", "exec")
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        exec(code, namespace)
    return (time.perf_counter() - started) * 1000.0


def forked_ms(source: str) -> float:
    """Runs the snippet without tracing in a child forked from this warm process."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.write(write_end, str(raw_tf_ms(source)).encode())
        os._exit(0)
    os.close(write_end)
    result = float(os.read(read_end, 100))
    os.close(read_end)
    os.waitpid(pid, 0)
    return result


def paired(base: list[float], other: list[float]) -> str:
    """The median of other/base over the pairs, minus one, with the ratios' quartiles."""
    ratios = [b / a - 1.0 for a, b in zip(base, other)]
    if len(ratios) < 4:
        return f"{100.0 * statistics.median(ratios):+.0f}%"
    low, _, high = statistics.quantiles(ratios, n=4)
    return (f"{100.0 * statistics.median(ratios):+.0f}% "
            f"({100.0 * low:+.0f}..{100.0 * high:+.0f})")


def hooks_cost(source: str, repeat: int) -> list[float]:
    """Tracing's own cost: the same process with the hooks off and on, runs interleaved.

    Runs in a forked child (the hooks patch TF for good); the generated models never create
    a tf.Session, so forking this process is safe. Returns the untraced and traced times,
    alternating which of a pair runs first.
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        from viz.backend import tf1_hooks, tracer

        tf1_hooks.install()
        sink = os.open(os.devnull, os.O_WRONLY)
        off, on = [], []
        for index in range(repeat):
            for traced in (False, True) if index % 2 == 0 else (True, False):
                if traced:
                    tracer.start("bench.py", lambda event: os.write(sink, repr(event).encode()))
                    on.append(raw_tf_ms(source))
                else:
                    tracer.stop()
                    off.append(raw_tf_ms(source))
        os.write(write_end, json.dumps([off, on]).encode())
        os._exit(0)
    os.close(write_end)
    data = b""
    while chunk := os.read(read_end, 1 << 16):
        data += chunk
    os.close(read_end)
    os.waitpid(pid, 0)
    return json.loads(data)


def cli_ms(source: str) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as handle:
        handle.write(source)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "viz", "trace", handle.name, "--format", "json"],
                   cwd=ROOT, capture_output=True, check=False, timeout=600)
    elapsed = (time.perf_counter() - started) * 1000.0
    os.unlink(handle.name)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="pairs per seed snippet")
    parser.add_argument("--model-repeat", type=int, default=15,
                        help="pairs per generated model of 1,000 variables (2 for 10,000)")
    parser.add_argument("--only", default="", help="run the cases whose name contains this")
    parser.add_argument("--hosted", action="store_true", help="seal each run, as a server does")
    args = parser.parse_args()
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    print("| snippet | variables | raw TF | traced (in worker) | worker vs raw | fork alone "
          "| tracing cost (same process) | Executor.run | CLI (cold) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    with Executor(hosted=args.hosted) as executor:
        executor.warm_up()
        for name, source in cases():
            if args.only not in name:
                continue
            model = name.startswith("generated")
            repeat = 2 if "10,000" in name else args.model_repeat if model else args.repeat
            raw_tf_ms(source)  # warm this process's lazy imports for this snippet
            executor.run(source, timeout=600)
            raw, traced, wall, alone, count = [], [], [], [], 0
            for index in range(repeat):  # interleaved, so all see the same machine load
                steps = ["raw", "worker", "fork"] if model else ["raw", "worker"]
                for step in steps if index % 2 == 0 else reversed(steps):
                    if step == "raw":
                        raw.append(raw_tf_ms(source))
                    elif step == "fork":
                        alone.append(forked_ms(source))
                    else:
                        started = time.perf_counter()
                        trace = executor.run(source, timeout=600)
                        wall.append((time.perf_counter() - started) * 1000.0)
                        traced.append(trace.elapsed_ms)
                        count = len(trace.variables)
                        assert trace.ok, trace.error
            cli = f"{cli_ms(source):,.0f}" if "10,000" not in name else "-"
            fork = paired(raw, alone) if model else "-"
            cost = paired(*hooks_cost(source, repeat)) if model else "-"
            print(f"| {name} | {count:,} | {min(raw):,.1f} | {min(traced):,.1f} "
                  f"| {paired(raw, traced)} | {fork} | {cost} | {min(wall):,.1f} "
                  f"| {cli} |", flush=True)


if __name__ == "__main__":
    main()
