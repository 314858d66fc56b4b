"""Benchmark: a ``%%scopeviz`` cell in a real Jupyter kernel, against raw TF.

Usage: python bench/bench_notebook.py [--runs 20]

Starts an ipykernel (jupyter_client, the way a notebook front end does), loads the extension,
and times each seed snippet as a ``%%scopeviz`` cell from the execute request to the kernel's
reply (the outputs, the explorer widget's included, are sent by then): the kernel's first
cell (ScopeViz's worker starts and imports TF: the note on its start is shown meanwhile), then
``--runs`` warm cells each. Raw TF: the same snippet executed in this process, a fresh graph,
best of 5. Prints a Markdown table with medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from raw_tf import raw_tf_ms  # noqa: E402

SEEDS = ["seed_1_name_scope_vs_variable_scope", "seed_2_tf_variable_duplicates",
         "seed_3_get_variable_sharing"]


def cell_ms(client: object, code: str) -> float:
    started = time.perf_counter()
    reply = client.execute_interactive(code, timeout=300, output_hook=lambda message: None)
    elapsed = (time.perf_counter() - started) * 1000
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the cell failed: {reply['content']}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    from jupyter_client.manager import start_new_kernel

    sources = {stem: (ROOT / "examples" / f"{stem}.py").read_text(encoding="utf-8")
               for stem in SEEDS}
    os.environ["PYTHONPATH"] = str(ROOT)
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        cell_ms(client, "%load_ext viz")
        first = cell_ms(client, f"%%scopeviz\n{sources[SEEDS[0]]}")
        warm = {stem: [cell_ms(client, f"%%scopeviz\n{source}") for _ in range(args.runs)]
                for stem, source in sources.items()}
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    raw = {stem: raw_tf_ms(source) for stem, source in sources.items()}
    print(f"{sys.platform}, {os.cpu_count()} cores; medians of {args.runs} warm cells; ms\n")
    print("| cell | `%%scopeviz` in the kernel | raw TF, same snippet |")
    print("| --- | ---: | ---: |")
    print(f"| the kernel's first (TF starts in the worker) | {first:,.0f} | - |")
    for stem in SEEDS:
        print(f"| {stem} | {statistics.median(warm[stem]):,.0f} "
              f"(p90 {statistics.quantiles(warm[stem], n=10)[-1]:,.0f}) | {raw[stem]:,.1f} |")


if __name__ == "__main__":
    main()
