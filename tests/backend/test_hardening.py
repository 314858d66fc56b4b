"""Every bad snippet gets a clear outcome within its time limit, and the next run works."""

from __future__ import annotations

import textwrap
import time

import pytest

from viz import Executor

HEALTHY = "v = tf.Variable(1, name='after')\n"
LIMIT_S = 2.0
# A run ends within its limit plus the grace before SIGKILL plus process overhead.
SLACK_S = 3.0


def run_bad(executor: Executor, source: str, timeout: float = LIMIT_S):
    started = time.monotonic()
    trace = executor.run(textwrap.dedent(source), timeout=timeout)
    elapsed = time.monotonic() - started
    assert elapsed < timeout + SLACK_S, f"took {elapsed:.1f} s"
    after = executor.run(HEALTHY)
    assert after.ok and [v.name for v in after.variables] == ["after:0"]
    return trace


@pytest.mark.parametrize("source, kind", [
    ("while True:\n    pass\n", "Timeout"),
    ("""\
     import signal
     for sig in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
         signal.signal(sig, signal.SIG_IGN)
     while True:
         pass
     """, "Timeout"),
    ("import time\ntime.sleep(3600)\n", "Timeout"),
    ("x = 10 ** 10 ** 9\n", "Timeout"),
    ("""\
     q = tf.FIFOQueue(1, tf.float32)
     with tf.Session() as sess:
         sess.run(q.dequeue())
     """, "Timeout"),
    ("""\
     i = tf.while_loop(lambda i: tf.constant(True), lambda i: i + 1, [tf.constant(0)])
     with tf.Session() as sess:
         sess.run(i)
     """, "Timeout"),
    ("""\
     def spin(x):
         while True:
             pass
     y = tf.py_function(spin, [tf.constant(1.0)], tf.float32)
     with tf.Session() as sess:
         sess.run(y)
     """, "Timeout"),
])
def test_runs_that_never_end_are_stopped(executor: Executor, source: str, kind: str) -> None:
    trace = run_bad(executor, source)
    assert trace.error is not None and trace.error.type == kind


def test_a_million_get_variable_calls_time_out_with_a_partial_list(executor: Executor) -> None:
    trace = run_bad(executor, "for i in range(10 ** 6):\n    tf.get_variable('v%d' % i, [1])\n",
                    timeout=3.0)
    assert trace.error is not None and trace.error.type == "Timeout"
    assert len(trace.variables) > 100  # about 200 a second on this machine
    assert [v.name for v in trace.variables] == [f"v{i}:0" for i in range(len(trace.variables))]
    assert trace.variables[0].name == "v0:0" and trace.variables[0].line == 2


def test_a_timeout_turned_into_another_exception_is_still_a_timeout(executor: Executor) -> None:
    # When the limit strikes inside TF's C++, pybind11 hands back a RuntimeError ("MISMATCH
    # of original and normalized active exception"; once in CI); a snippet can do the same.
    trace = run_bad(executor, "try:\n    while True:\n        pass\nexcept BaseException:\n"
                              "    raise RuntimeError('not a timeout, says the snippet')\n",
                    timeout=2.0)
    assert trace.error is not None and trace.error.type == "Timeout"
    assert trace.error.line == 5


@pytest.mark.parametrize("source", [
    "x = bytearray(10 ** 11)\n",
    "chunks = []\nwhile True:\n    chunks.append(bytearray(10 ** 7))\n",
])
def test_memory_bombs_hit_the_memory_limit(executor: Executor, source: str) -> None:
    # Touching 1.5 GiB takes a while on a loaded machine: the default limit, not 2 s.
    trace = run_bad(executor, source, timeout=10.0)
    assert trace.error is not None and trace.error.type == "MemoryLimit"
    assert trace.error.line is not None


def test_huge_tensor_in_a_session_is_a_memory_limit(executor: Executor) -> None:
    trace = run_bad(executor, """\
        with tf.Session() as sess:
            sess.run(tf.zeros([100000, 100000, 10]))
        """)
    # 372.5 GiB cannot be allocated under the memory limit: TF fails at once, and says so.
    assert trace.error is not None and trace.error.type == "MemoryLimit"
    assert trace.error.message == (
        "TensorFlow tried to allocate 372.5 GiB for a float tensor of shape "
        "[100000,100000,10]; runs may use 1.5 GiB beyond the worker's own memory")
    assert trace.error.line == 2


def test_thread_bomb_is_stopped(executor: Executor) -> None:
    trace = run_bad(executor, """\
        import threading, time
        while True:
            threading.Thread(target=time.sleep, args=(60,), daemon=True).start()
        """)
    # Each thread reserves stack address space; the memory limit stops the bomb.
    assert trace.error is not None and trace.error.type == "RuntimeError"
    assert trace.error.message == "can't start new thread"


@pytest.mark.parametrize("source, kind, detail", [
    ("raise KeyboardInterrupt\n", "KeyboardInterrupt", ""),
    ("import ctypes\nctypes.string_at(0)\n", "WorkerCrashed", "SIGSEGV"),
    ("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", "WorkerCrashed", "SIGKILL"),
    ("def f():\n    f()\nf()\n", "RecursionError", ""),
])
def test_crashes_and_interrupts(executor: Executor, source: str, kind: str, detail: str) -> None:
    trace = run_bad(executor, source)
    assert trace.error is not None and trace.error.type == kind
    assert detail in trace.error.message


def test_c_stack_overflow_is_a_crash(executor: Executor) -> None:
    # Growing 8 MiB of C stack page by page takes a second or two: the default limit.
    trace = run_bad(executor, "import sys\nsys.setrecursionlimit(10 ** 7)\nx = []\n"
                              "for _ in range(2 * 10 ** 5):\n    x = [x]\nstr(x)\n", timeout=10.0)
    assert trace.error is not None and trace.error.type == "WorkerCrashed"
    assert "SIGSEGV" in trace.error.message


def test_raw_output_flood_is_capped(executor: Executor) -> None:
    trace = run_bad(executor, "import os\nwhile True:\n    os.write(1, b'x' * 65536)\n")
    assert trace.error is not None and trace.error.type == "OutputLimit"
    assert trace.stdout.endswith("[output truncated]\n")
    assert len(trace.stdout) < 1_100_000


def test_tf_print_flood_ends_and_is_capped(executor: Executor) -> None:
    trace = run_bad(executor, """\
        def step(i):
            with tf.control_dependencies([tf.print("x" * 1000)]):
                return i + 1
        n = tf.while_loop(lambda i: i < 10 ** 9, step, [tf.constant(0)])
        with tf.Session() as sess:
            sess.run(n)
        """)
    # TF's C++ print writes straight to fd 2: the run is stopped once that passes 1 MB.
    assert trace.error is not None and trace.error.type == "OutputLimit"
    assert len(trace.stdout) + len(trace.stderr) < 1_100_000


@pytest.mark.parametrize("source, message", [
    ("(" * 1000 + ")" * 1000 + "\n", "too many nested parentheses"),
    ("x = 1\0\n", "source code string cannot contain null bytes"),
])
def test_parser_bombs_and_null_bytes(executor: Executor, source: str, message: str) -> None:
    trace = run_bad(executor, source)
    assert trace.error is not None and trace.error.type == "SyntaxError"
    assert trace.error.message == message


def test_oversized_snippet_is_refused_before_running(executor: Executor) -> None:
    trace = executor.run("x = 1\n" * 100_000)
    assert trace.error is not None and trace.error.type == "SnippetTooLarge"
    assert "600000 bytes" in trace.error.message


def test_monkeypatching_tf_does_not_leak(executor: Executor) -> None:
    trace = run_bad(executor, "tf.Variable = None\nimport builtins\nbuiltins.print = None\n")
    assert trace.ok


def test_a_thread_left_running_does_not_hold_the_run(executor: Executor) -> None:
    started = time.monotonic()
    trace = executor.run("import threading, time\nthreading.Thread(target=time.sleep, "
                         "args=(100,)).start()\nprint('done')\n")
    assert trace.ok and trace.stdout == "done\n"
    assert time.monotonic() - started < 5
