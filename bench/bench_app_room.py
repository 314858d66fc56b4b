"""Benchmark: how many participants one server holds, through the real app.

Usage: python bench/bench_app_room.py [--participants 10 30 100 300] [--period 30]
                                      [--clicks 3]

For each K, a fresh server (``streamlit run app.py``, local mode) and K simulated participants
over Streamlit's own websocket protocol (bench/streamlit_client.py: the messages a page sends,
no browser, so the server is what is measured, not K Chromiums on the same two cores). Each
opens the page on seed 1 (its first run), ten a second, then presses Run every ``--period``
seconds (the first press at a random point of the first period, so presses spread as a room's
do), ``--clicks`` times; the bench records the time from the press to the new graph's arrival
(the explorer's element, sent by the page's run). A press answered with ``ServerBusy``, an
error on the page or no graph within 60 s is a failure (counted, not a crash). Reports per K:
presses, p50 and p95 of the answered ones, failures, the CPU of the Streamlit process (the
app: one interpreter) and of the worker (TensorFlow's runs), each in cores, the memory of
both, and the largest K with p95 under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from app_server import (  # noqa: E402
    children,
    cpu_seconds,
    descendants,
    free_port,
    percentile,
    rss_mib,
    start_server,
)
from streamlit_client import Client  # noqa: E402

SEED_1 = "seed_1_name_scope_vs_variable_scope"
NO_ANSWER_S = 60.0


@dataclass
class Presses:
    """What the participants' presses got: the answered ones' times (s) and the failures."""

    times: list[float] = field(default_factory=list)
    failures: dict[str, int] = field(default_factory=dict)

    def fail(self, why: str) -> None:
        self.failures[why] = self.failures.get(why, 0) + 1


async def participant(url: str, period: float, clicks: int, presses: Presses,
                      opened: asyncio.Event, start: asyncio.Event) -> None:
    page = Client(url, f"example={SEED_1}")
    try:
        await page.open()
        await page.finished(300)
    except (OSError, asyncio.TimeoutError) as exc:
        presses.fail(f"page did not open ({type(exc).__name__})")
        return
    finally:
        opened.set()
    await start.wait()
    await asyncio.sleep(random.uniform(0, period))
    for _ in range(clicks):
        graphs, alerts, pressed = len(page.graphs), len(page.alerts), time.monotonic()
        try:
            await page.rerun(clicked="Run")
            await page.finished(NO_ANSWER_S)
        except (OSError, asyncio.TimeoutError):
            presses.fail(f"no answer in {NO_ANSWER_S:g} s")
            break
        said = " ".join(alert.text for alert in page.alerts[alerts:])
        if "ServerBusy" in said:
            presses.fail("ServerBusy")
        elif page.exceptions or len(page.graphs) == graphs:
            presses.fail("no graph (an error on the page)")
        else:
            presses.times.append(page.graphs[graphs] - pressed)
        await asyncio.sleep(max(0.0, period - (time.monotonic() - pressed)))
    await page.close()


async def room(url: str, count: int, period: float, clicks: int) -> Presses:
    presses, start = Presses(), asyncio.Event()
    tasks, opened = [], []
    for _ in range(count):  # ten a second, as people open a link
        opened.append(asyncio.Event())
        tasks.append(asyncio.create_task(participant(url, period, clicks, presses,
                                                     opened[-1], start)))
        await asyncio.sleep(0.1)
    for event in opened:
        await event.wait()
    start.set()
    await asyncio.gather(*tasks)
    return presses


def one_level(count: int, period: float, clicks: int) -> dict:
    port = free_port()
    server = start_server(port)
    try:
        url = f"http://127.0.0.1:{port}"
        app_cpu, started = cpu_seconds(server.pid), time.monotonic()
        client_cpu = own_cpu_seconds()
        presses = asyncio.run(room(url, count, period, clicks))
        spent = time.monotonic() - started
        app_cpu = (cpu_seconds(server.pid) - app_cpu) / spent
        client_cpu = (own_cpu_seconds() - client_cpu) / spent
        # The zygote starts with the first page and reaps every run: its total (TF's import
        # included) is the level's TensorFlow work.
        worker_cpu = sum(cpu_seconds(pid, reaped=True) for pid in children(server.pid)) / spent
        memory = rss_mib(server.pid), sum(rss_mib(pid) for pid in descendants(server.pid)
                                          if os.path.exists(f"/proc/{pid}"))
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {"presses": presses, "app_cpu": app_cpu, "worker_cpu": worker_cpu,
            "client_cpu": client_cpu, "memory": memory}


def own_cpu_seconds() -> float:
    """This bench's own CPU (its K simulated pages share the server's cores)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, nargs="+", default=[10, 30, 100, 300])
    parser.add_argument("--period", type=float, default=30.0)
    parser.add_argument("--clicks", type=int, default=3)
    args = parser.parse_args()
    random.seed(1)
    rows, held = [], 0
    for count in args.participants:
        level = one_level(count, args.period, args.clicks)
        times, failures = level["presses"].times, level["presses"].failures
        p95 = percentile(times, 0.95) if times else float("inf")
        if p95 < 1.0 and not failures:
            held = max(held, count)
        rows.append(f"| {count} | {len(times) + sum(failures.values())} | "
                    + (f"{statistics.median(times) * 1000:,.0f} | {p95 * 1000:,.0f}"
                       if times else "- | -")
                    + f" | {sum(failures.values())}"
                    + (f" ({', '.join(f'{n} {why}' for why, n in failures.items())})"
                       if failures else "")
                    + f" | {level['app_cpu']:.2f} | {level['worker_cpu']:.2f} | "
                    f"{level['client_cpu']:.2f} | "
                    f"{level['memory'][0]:,.0f} | {level['memory'][1]:,.0f} |")
        print(rows[-1], flush=True)
    print(f"\n{os.cpu_count()} cores; Run every {args.period:g} s, {args.clicks} presses each; "
          "press to graph in ms; CPU in cores over the level; memory (RSS) in MiB at its end\n")
    print("| K | presses | p50 | p95 | failures | app CPU | worker CPU | bench CPU | app RSS "
          "| workers' RSS |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    print("\n".join(rows))
    print(f"\nLargest K with p95 under 1 s and no failure: {held or 'none'}")


if __name__ == "__main__":
    main()
