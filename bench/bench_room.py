"""Benchmark: a room of 30 people pressing Run at the same moment.

Usage: python bench/bench_room.py [--runs N] [--people 30]

Fires the seed's first snippet from 30 threads at once against a WorkerPool (what the app
uses), then a second round where 3 of the 30 are bad snippets that run to their 10 s limit.
Prints a Markdown table: completed, failed, and p50/p95/max latency of the good runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viz import WorkerPool  # noqa: E402

SEED = (ROOT / "examples" / "seed_1_name_scope_vs_variable_scope.py").read_text(encoding="utf-8")
BAD = "while True:\n    pass\n"


def fire(pool: WorkerPool, sources: list[str]) -> list[tuple[str, float, str | None]]:
    """Runs all sources at once; returns (kind, latency ms, error type) per run."""
    results: list[tuple[str, float, str | None]] = [("", 0.0, None)] * len(sources)
    barrier = threading.Barrier(len(sources))

    def person(index: int) -> None:
        barrier.wait()
        started = time.perf_counter()
        trace = pool.run(sources[index])
        kind = "bad" if sources[index] is BAD else "good"
        results[index] = (kind, (time.perf_counter() - started) * 1000.0,
                          trace.error.type if trace.error else None)

    threads = [threading.Thread(target=person, args=(i,)) for i in range(len(sources))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=None, help="runs at once (default: the pool's)")
    parser.add_argument("--people", type=int, default=30)
    args = parser.parse_args()
    rounds = [("30 seed runs", [SEED] * args.people),
              ("27 seed runs + 3 endless loops", [BAD if i % 10 == 5 else SEED
                                                  for i in range(args.people)])]
    with WorkerPool(size=args.runs) as pool:
        pool.warm_up()
        pool.run(SEED)
        print(f"{pool.size} runs at once, {args.people} people\n")
        print("| round | completed | failed | good p50 | good p95 | good max |")
        print("| --- | ---: | --- | ---: | ---: | ---: |")
        for name, sources in rounds:
            results = fire(pool, sources)
            good = [ms for kind, ms, error in results if kind == "good" and error is None]
            failed = Counter(error for _, _, error in results if error is not None)
            failed_text = ", ".join(f"{n} {kind}" for kind, n in failed.items()) or "0"
            print(f"| {name} | {len(results) - sum(failed.values())} | {failed_text} "
                  f"| {statistics.median(good):,.0f} ms | {percentile(good, 0.95):,.0f} ms "
                  f"| {max(good):,.0f} ms |", flush=True)


if __name__ == "__main__":
    main()
