"""Benchmark: what checking a snippet against a checkpoint adds to its run.

Usage: python bench/bench_checkpoint.py [--repeat N]

For the BERT-like example (204 variables) and the generated 1,000-variable model of
bench_trace.py: a checkpoint of the model is written once (by TF, in a run); then, paired and
alternating, a traced run alone and a traced run that also reads the checkpoint, plus the
pure line-up (``viz.core.checkpoint.check``); beside them raw TF in this process, reading the same
checkpoint with ``tf.train.list_variables``. Prints a Markdown table of medians (ms).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_trace import generated_model  # noqa: E402

from viz import Executor  # noqa: E402
from viz.core.checkpoint import check  # noqa: E402

SAVE = """
with tf.Session() as session:
    session.run(tf.global_variables_initializer())
    tf.train.Saver().save(session, {prefix!r})
"""


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000.0, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    models = [("BERT-like, 204 variables",
               (ROOT / "examples" / "model_bert_like_encoder.py").read_text(encoding="utf-8")),
              ("generated, 1,000 variables", generated_model(1000))]
    print("| model | keys | run | run + read checkpoint | line-up (pure) | raw TF list_variables |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    with Executor() as executor, tempfile.TemporaryDirectory() as folder:
        executor.warm_up()
        import tensorflow as tf  # the raw comparison, in this process

        for title, source in models:
            prefix = str(Path(folder) / f"{len(source)}.ckpt")
            saved = executor.run(source + SAVE.format(prefix=prefix), timeout=600)
            assert saved.ok, saved.error
            plain, checked, lineup, raw = [], [], [], []
            for attempt in range(args.repeat):
                order = [False, True] if attempt % 2 == 0 else [True, False]
                for with_checkpoint in order:
                    ms, trace = timed(lambda c=with_checkpoint, s=source, p=prefix: executor.run(
                        s, timeout=600, checkpoint=p if c else None))
                    assert trace.ok, trace.error
                    (checked if with_checkpoint else plain).append(ms)
                    if with_checkpoint:
                        ms, report = timed(lambda t=trace: check(t))
                        assert report.ok, report.missing[:3]
                        lineup.append(ms)
                        keys = len(trace.checkpoint or [])
                raw.append(timed(lambda p=prefix: tf.train.list_variables(p))[0])
            print(f"| {title} | {keys} | {statistics.median(plain):,.0f} | "
                  f"{statistics.median(checked):,.0f} | {statistics.median(lineup):,.1f} | "
                  f"{statistics.median(raw):,.1f} |", flush=True)


if __name__ == "__main__":
    main()
