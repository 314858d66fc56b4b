"""The worker pool: parallel runs, ServerBusy when the queue is full, bad runs hold one worker."""

from __future__ import annotations

import textwrap
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from viz import Trace, WorkerPool

GOOD = "v = tf.Variable(1, name='v')\n"


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(size=2, queue_limit=1) as workers:
        workers.warm_up()
        yield workers


def in_background(pool: WorkerPool, source: str, timeout: float) -> tuple[threading.Thread,
                                                                          list[Trace]]:
    result: list[Trace] = []
    thread = threading.Thread(target=lambda: result.append(pool.run(source, timeout=timeout)))
    thread.start()
    return thread, result


def until(condition: Callable[[], bool], what: str) -> None:
    """Waits for a condition of the pool (checked every 10 ms, for at most a minute)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"still not {what} after a minute"
        time.sleep(0.01)


def held_until(gate: Path, busy: bool) -> str:
    """A run that holds its worker until the test creates ``gate``: spinning on the CPU as
    an endless loop does (``busy``), or sleeping."""
    wait = "pass" if busy else "time.sleep(0.01)"
    return f"import os, time\nwhile not os.path.exists({str(gate)!r}):\n    {wait}\n"


def test_a_bad_run_holds_only_its_own_worker(pool: WorkerPool, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    thread, bad = in_background(pool, held_until(gate, busy=True), timeout=120.0)
    until(lambda: pool.running == 1, "running")
    goods = [pool.run(GOOD) for _ in range(4)]
    # the four finished while the loop still held its worker
    assert thread.is_alive()
    assert all(t.ok and t.variables[0].name == "v:0" for t in goods)
    gate.touch()
    thread.join()
    assert bad[0].ok, bad[0].error


def test_full_queue_answers_server_busy_at_once(pool: WorkerPool, tmp_path: Path) -> None:
    gate = tmp_path / "gate"
    busy = [in_background(pool, held_until(gate, busy=False), timeout=120.0)
            for _ in range(2)]
    until(lambda: pool.running == 2, "both running")
    waiting = in_background(pool, GOOD, timeout=120.0)  # takes the one place in the queue
    until(lambda: pool.waiting == 1, "queued")
    refused = pool.run(GOOD)
    # answered while every place was still held: it did not wait for one
    assert all(thread.is_alive() for thread, _ in busy + [waiting])
    assert refused.error is not None and refused.error.type == "ServerBusy"
    gate.touch()
    for thread, _ in busy + [waiting]:
        thread.join()
    assert waiting[1][0].ok
    assert pool.run(GOOD).ok


def test_a_run_that_used_a_second_of_cpu_yields_to_the_others(pool: WorkerPool) -> None:
    trace = pool.run(textwrap.dedent("""\
        import os, time
        print(os.getpriority(os.PRIO_PROCESS, 0))
        start = time.process_time()
        while time.process_time() - start < 1.5:
            pass
        for _ in range(100):  # the zygote looks every 0.1 s
            if os.getpriority(os.PRIO_PROCESS, 0) == 19:
                break
            time.sleep(0.1)
        print(os.getpriority(os.PRIO_PROCESS, 0))
        try:
            os.setpriority(os.PRIO_PROCESS, 0, 0)
        except PermissionError:
            print("cannot raise it back")
        """), timeout=30.0)
    assert trace.ok, trace.error
    # As root the run may raise its priority (RLIMIT_NICE binds only the unprivileged).
    assert trace.stdout in ("0\n19\ncannot raise it back\n", "0\n19\n")
