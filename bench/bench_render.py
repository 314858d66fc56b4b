"""Benchmark: rendering a traced model to SVG on the server (tree + DOT + graphviz's dot).

Usage: python bench/bench_render.py

Prints a Markdown table (milliseconds, best of 3) for the generated 1,000 and 10,000-variable
models from bench_trace.py with the app's render options.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_trace import generated_model  # noqa: E402

from viz import Executor  # noqa: E402
from viz.backend.execute import run_dot  # noqa: E402
from viz.core.export import dot_source  # noqa: E402
from viz.core.view import RenderOptions  # noqa: E402

VARIANTS = [
    ("collapse series (default)", RenderOptions()),
    ("depth limit 1", RenderOptions(max_depth=1)),
    ("name filter block_7/", RenderOptions(name_filter="block_7/")),
    ("no collapse", RenderOptions(collapse_series=False)),
]


def best_of(repeat: int, action) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        best = min(best, (time.perf_counter() - started) * 1000.0)
    return best, result


def main() -> None:
    print("| model | options | DOT (pure) | DOT + dot -Tsvg | SVG size |")
    print("| --- | --- | ---: | ---: | ---: |")
    with Executor() as executor:
        for variables in (1000, 10000):
            trace = executor.run(generated_model(variables), timeout=600)
            assert trace.ok, trace.error
            for name, options in VARIANTS:
                if variables == 10000 and not options.collapse_series:
                    continue  # minutes of graphviz layout, which is why collapsing exists
                dot_ms, dot = best_of(3, lambda t=trace, o=options: dot_source(t, o))
                svg_ms, svg = best_of(3, lambda t=trace, o=options:
                                      run_dot(dot_source(t, o), "svg"))
                print(f"| {variables:,} variables | {name} | {dot_ms:,.0f} | {svg_ms:,.0f} "
                      f"| {len(svg) / 1024:,.0f} KiB |", flush=True)


if __name__ == "__main__":
    main()
