"""Benchmark: what a person waits for in the browser, against raw TensorFlow.

Usage: python bench/bench_click_to_graph.py [--runs 4] [--clicks 10]

Each run starts a fresh server (``streamlit run app.py``, local mode) and opens it in Debian's
Chromium (Playwright): the time from opening a link to its first graph on a cold server (TF
starts with the first page; the page shows the progress), then for each example ``--clicks``
times the time from Ctrl+Enter in the editor to the new graph on the page (the text gets one
more variable first, and the clock starts once the page is idle, as the browser tests do).
Raw TF is the same snippet executed in this process in a fresh graph (best of 5). Prints a
Markdown table with each run's median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from app_server import free_port, start_server  # noqa: E402
from raw_tf import raw_tf_ms  # noqa: E402

EXAMPLES = ["seed_1_name_scope_vs_variable_scope", "seed_3_get_variable_sharing",
            "model_bert_like_encoder"]
CHROMIUM = "/usr/bin/chromium"
EDITOR = 'iframe[title="code_editor.code_editor"]'
# True once a box titled `name` is in a graph (the explorer lives in a shadow root).
DRAWN = """name => [...document.querySelectorAll('*')].some(host => host.shadowRoot && [
    ...host.shadowRoot.querySelectorAll('g.node > title')].some(t => t.textContent === name))"""
COLD = "seed_3_get_variable_sharing"


def one_run(playwright: object, clicks: int) -> dict[str, float]:
    """A fresh server: its cold first graph, then each example's median click to graph."""
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}"
    medians: dict[str, float] = {}
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        started = time.monotonic()
        page.goto(f"{url}/?example={COLD}")
        page.wait_for_function(DRAWN, arg="image_filters/conv1/weights:0", polling="raf",
                               timeout=120_000)
        medians["cold first graph"] = (time.monotonic() - started) * 1000
        for example in EXAMPLES:
            page.goto(f"{url}/?example={example}")
            page.locator(".scopeviz-graph svg").first.wait_for(timeout=120_000)
            frame = page.frame_locator(EDITOR).first
            frame.locator(".ace_content").wait_for()
            source = page.locator(EDITOR).first.content_frame.locator(".ace_editor").evaluate(
                "node => node.env.editor.getValue()")
            times = []
            for attempt in range(clicks):
                probe = f"probe_{attempt}"
                frame.locator(".ace_content").click()
                page.keyboard.press("Control+a")
                page.keyboard.insert_text(f"{source}\ntf.Variable(0, name={probe!r})\n")
                page.wait_for_timeout(500)
                page.wait_for_selector('[data-test-script-state="notRunning"]')
                began = time.monotonic()
                page.keyboard.press("Control+Enter")
                page.wait_for_function(DRAWN, arg=f"{probe}:0", polling="raf", timeout=60_000)
                times.append((time.monotonic() - began) * 1000)
            medians[example] = statistics.median(times)
        browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--clicks", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    raw = {stem: raw_tf_ms((ROOT / "examples" / f"{stem}.py").read_text(encoding="utf-8"))
           for stem in EXAMPLES}
    with sync_playwright() as playwright:
        runs = [one_run(playwright, args.clicks) for _ in range(args.runs)]
    print(f"{args.runs} runs, each a fresh server; medians of {args.clicks} clicks; ms\n")
    print("| what | " + " | ".join(f"run {i + 1}" for i in range(args.runs))
          + " | raw TF, same snippet |")
    print("| --- |" + " ---: |" * (args.runs + 1))
    for what in ["cold first graph", *EXAMPLES]:
        cells = " | ".join(f"{run[what]:,.0f}" for run in runs)
        print(f"| {what} | {cells} | {raw[what]:,.1f} |" if what in raw
              else f"| {what} | {cells} | - |")


if __name__ == "__main__":
    main()
