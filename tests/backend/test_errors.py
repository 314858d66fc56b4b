"""Bad snippets give a clear error with its line, keep the partial trace, and the next run works."""

from __future__ import annotations

import subprocess
import textwrap
import threading
import time
from pathlib import Path

import pytest

from viz import Executor

HEALTHY = "v = tf.Variable(1, name='after')\n"


def assert_next_run_works(executor: Executor) -> None:
    trace = executor.run(HEALTHY)
    assert trace.ok and [v.name for v in trace.variables] == ["after:0"]


def test_syntax_error_has_line_and_column(executor: Executor) -> None:
    trace = executor.run("x = 1\ny = (2 +\nz = 3\n", filename="bad.py")
    assert trace.error is not None
    assert trace.error.type == "SyntaxError"
    assert (trace.error.line, trace.error.column) == (2, 5)
    assert trace.variables == []
    assert_next_run_works(executor)


def test_indentation_error(executor: Executor) -> None:
    trace = executor.run("if True:\nprint(1)\n")
    assert trace.error is not None and trace.error.type == "IndentationError"
    assert trace.error.line == 2


def test_tf_value_error_keeps_partial_trace_and_line(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent("""\
        with tf.variable_scope("a"):
            w = tf.get_variable("w", [1])
        print("made", w.name)
        with tf.variable_scope("a"):
            w = tf.get_variable("w", [1])
    """))
    assert trace.error is not None
    assert trace.error.type == "ValueError"
    assert trace.error.line == 5 and trace.error.column == 9
    assert trace.error.message.startswith("Variable a/w already exists, disallowed.")
    assert [v.name for v in trace.variables] == ["a/w:0"]
    assert trace.stdout == "made a/w:0\n"
    assert trace.to_dict()["ok"] is False


def test_error_inside_a_function_points_at_the_innermost_snippet_line(executor: Executor) -> None:
    trace = executor.run("def f():\n    return tf.get_variable('x', [1], reuse=True)\n"
                         "with tf.variable_scope('s', reuse=True):\n    f()\n")
    assert trace.error is not None and trace.error.line == 2


def test_timeout_keeps_variables_made_before_it(executor: Executor) -> None:
    trace = executor.run("for i in range(5):\n    tf.Variable(i, name='v')\n"
                         "while True:\n    pass\n", timeout=1.0)
    assert trace.error is not None and trace.error.type == "Timeout"
    assert trace.error.line in (3, 4)
    assert len(trace.variables) == 5
    assert_next_run_works(executor)


def test_timeout_when_the_snippet_ignores_the_alarm(executor: Executor) -> None:
    trace = executor.run("import signal, time\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                         "tf.Variable(0, name='before')\ntime.sleep(60)\n", timeout=1.0)
    assert trace.error is not None and trace.error.type == "Timeout"
    assert [v.name for v in trace.variables] == ["before:0"]
    assert_next_run_works(executor)


@pytest.mark.parametrize("crash, kind, detail", [
    ("import os, signal\nos.kill(os.getpid(), signal.SIGSEGV)\n", "WorkerCrashed", "SIGSEGV"),
    ("import os\nos.abort()\n", "WorkerCrashed", "SIGABRT"),
    ("import os\nos._exit(0)\n", "SystemExit", "exit code 0"),
])
def test_a_dying_process_is_reported_and_replaced(executor: Executor, crash: str, kind: str,
                                                 detail: str) -> None:
    trace = executor.run("tf.Variable(0, name='made')\n" + crash)
    assert trace.error is not None and trace.error.type == kind
    assert detail in trace.error.message
    assert [v.name for v in trace.variables] == ["made:0"]
    assert_next_run_works(executor)


def test_sys_exit_is_reported_with_its_code(executor: Executor) -> None:
    trace = executor.run("import sys\nsys.exit(3)\n")
    assert trace.error is not None and trace.error.type == "SystemExit"
    assert "3" in trace.error.message and trace.error.line == 2


def test_output_is_capped(executor: Executor) -> None:
    small = Executor(output_limit=1000)
    with small:
        trace = small.run("while True:\n    print('x' * 100)\n")
    assert trace.error is not None and trace.error.type == "OutputLimit"
    assert len(trace.stdout.encode()) == 1000
    assert trace.error.line == 2


def test_raw_writes_to_fd_1_are_captured(executor: Executor) -> None:
    trace = executor.run("import os\nos.write(1, b'raw\\n')\n")
    assert trace.ok and "raw\n" in trace.stdout


def test_input_gets_end_of_file(executor: Executor) -> None:
    trace = executor.run("input()\n")
    assert trace.error is not None and trace.error.type == "EOFError"


def kill_once_started(process: subprocess.Popen, started: Path) -> None:
    """Kills the zygote once the run has written ``started`` (at most a minute later)."""
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    process.kill()


def test_a_killed_worker_is_replaced(executor: Executor, tmp_path: Path) -> None:
    started = tmp_path / "started"
    small = Executor()
    with small:
        small.warm_up()
        zygote = small._zygotes["tf1"]
        assert zygote is not None
        killer = threading.Thread(target=kill_once_started, args=(zygote.process, started))
        killer.start()
        broken = small.run(f"import time\nopen({str(started)!r}, 'w').close()\n"
                           "time.sleep(120)\n", timeout=180.0)
        killer.join()
        # the run ended with the zygote, long before its sleep or its limit
        assert broken.error is not None and broken.error.type == "WorkerCrashed"
        assert_next_run_works(small)


def test_originally_defined_at_lists_the_snippets_lines_only(executor: Executor) -> None:
    trace = executor.run("def make():\n    return tf.get_variable('w', [1])\nmake()\nmake()\n",
                         filename="model.py")
    assert trace.error is not None and trace.error.type == "ValueError"
    assert trace.error.message.endswith(
        "Originally defined at:\n\n"
        '  File "model.py", line 2, in make\n'
        '  File "model.py", line 3, in <module>\n')
    assert "viz/backend" not in trace.error.message and "runpy" not in trace.error.message
