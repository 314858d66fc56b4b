"""Benchmark: a live room of 100 followers on one server.

Usage: python bench/bench_live_room.py [--followers 100] [--changes 20] [--pause 3]

Starts the app (``streamlit run app.py``, local mode), then simulated users over Streamlit's
own websocket protocol (bench/streamlit_client.py: the messages a page sends, no browser):
a presenter opens seed 1's step-through and presses Start a room; the followers open the
join link (ten a second), each running the snippet in its own run, and poll the room once a
second as their pages do. The presenter then presses Next (and Back at the last step) every
``--pause`` seconds; for each press the bench records when each follower's page received
the new step's sentence. Prints a Markdown table: the time from the press to the last
follower's update (p50, p95, max), one follower's update (p50, p95), misses (a follower
without the update after 10 s), errors on the followers' pages, the server's CPU while the
room ran and its memory (the Streamlit process; the worker processes beside it).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from app_server import (  # noqa: E402
    cpu_seconds,
    descendants,
    free_port,
    percentile,
    rss_mib,
    start_server,
)
from streamlit_client import Client  # noqa: E402

SEED_1 = "seed_1_name_scope_vs_variable_scope"
STEPS = 7  # seed 1's naming events
MISSED_S = 10.0


async def room(url: str, followers: int, changes: int, pause: float) -> dict:
    presenter = Client(url, f"example={SEED_1}&step=1")
    await presenter.open()
    await presenter.finished(180)
    await presenter.rerun(clicked="Start a room")
    await presenter.finished(60)
    code = presenter.latest(r"\*\*Room ([A-Z0-9]{6})\*\*").group(1)

    arrived: list[dict[int, float]] = [dict() for _ in range(followers)]

    def watcher(index: int):
        def seen(text: str, at: float) -> None:
            found = re.search(r"Step (\d+) of \d+", text)
            if found:
                arrived[index].setdefault(int(found.group(1)), at)
        return seen

    pages = []
    for index in range(followers):  # ten a second, as people open a link
        page = Client(url, f"room={code}", on_text=watcher(index))
        await page.open()
        pages.append(page)
        await asyncio.sleep(0.1)
    deadline = time.monotonic() + 120
    while not all(1 in seen for seen in arrived) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    joined = sum(1 in seen for seen in arrived)

    presses, step, direction = [], 1, 1
    for _ in range(changes):
        if not 1 <= step + direction <= STEPS:
            direction = -direction
        step += direction
        for seen in arrived:
            seen.pop(step, None)  # a step shown before: measure its new arrival
        pressed = time.monotonic()
        await presenter.rerun(clicked="Next" if direction > 0 else "Back")
        while time.monotonic() - pressed < MISSED_S and not all(step in s for s in arrived):
            await asyncio.sleep(0.02)
        presses.append([seen[step] - pressed if step in seen else None for seen in arrived])
        await asyncio.sleep(max(0.0, pause - (time.monotonic() - pressed)))
    errors = sum(len(page.exceptions) for page in pages)
    for page in [presenter, *pages]:
        await page.close()
    return {"joined": joined, "presses": presses, "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=100)
    parser.add_argument("--changes", type=int, default=20)
    parser.add_argument("--pause", type=float, default=3.0)
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    try:
        url = f"http://127.0.0.1:{port}"
        before = rss_mib(server.pid)
        cpu_before, started = cpu_seconds(server.pid), time.monotonic()
        result = asyncio.run(room(url, args.followers, args.changes, args.pause))
        cpu = (cpu_seconds(server.pid) - cpu_before) / (time.monotonic() - started)
        after = rss_mib(server.pid)
        workers = sum(rss_mib(pid) for pid in descendants(server.pid) if os.path.exists(
            f"/proc/{pid}"))
    finally:
        server.terminate()
        server.wait(timeout=30)
    lasts = [max(t for t in press if t is not None) for press in result["presses"]
             if any(t is not None for t in press)]
    each = [t for press in result["presses"] for t in press if t is not None]
    misses = sum(t is None for press in result["presses"] for t in press)
    print(f"{args.followers} followers ({result['joined']} joined), {args.changes} changes "
          f"every {args.pause:g} s; times in ms\n")
    print("| last follower p50 | p95 | max | one follower p50 | p95 | misses | errors "
          "| server CPU | server RSS before -> after | workers' RSS |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(f"| {statistics.median(lasts) * 1000:,.0f} | {percentile(lasts, 0.95) * 1000:,.0f} "
          f"| {max(lasts) * 1000:,.0f} | {statistics.median(each) * 1000:,.0f} "
          f"| {percentile(each, 0.95) * 1000:,.0f} | {misses} | {result['errors']} "
          f"| {cpu * 100:.0f}% of a core | {before:,.0f} -> {after:,.0f} MiB "
          f"| {workers:,.0f} MiB |")


if __name__ == "__main__":
    main()
