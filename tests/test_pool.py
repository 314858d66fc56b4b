"""The worker pool: parallel runs, ServerBusy when the queue is full, bad runs hold one worker."""

from __future__ import annotations

import threading
import time
from typing import Iterator

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


def test_a_bad_run_holds_only_its_own_worker(pool: WorkerPool) -> None:
    thread, bad = in_background(pool, "while True:\n    pass\n", timeout=4.0)
    time.sleep(0.5)
    started = time.monotonic()
    goods = [pool.run(GOOD) for _ in range(4)]
    assert time.monotonic() - started < 3.0
    assert all(t.ok and t.variables[0].name == "v:0" for t in goods)
    thread.join()
    assert bad[0].error is not None and bad[0].error.type == "Timeout"


def test_full_queue_answers_server_busy_at_once(pool: WorkerPool) -> None:
    sleeper = "import time\ntime.sleep(3)\n"
    busy = [in_background(pool, sleeper, timeout=10.0) for _ in range(2)]
    time.sleep(0.5)
    waiting = in_background(pool, GOOD, timeout=10.0)  # takes the one place in the queue
    time.sleep(0.3)
    started = time.monotonic()
    refused = pool.run(GOOD)
    assert time.monotonic() - started < 0.5
    assert refused.error is not None and refused.error.type == "ServerBusy"
    for thread, _ in busy + [waiting]:
        thread.join()
    assert waiting[1][0].ok
    assert pool.run(GOOD).ok
