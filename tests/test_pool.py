"""The worker pool: parallel runs, ServerBusy when the queue is full, bad runs hold one worker."""

from __future__ import annotations

import textwrap
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
