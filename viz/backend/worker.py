"""The warm worker: imports TF once, then forks one child per run and reports how it ended.

Run as ``python -m viz.backend.worker``; it speaks JSON lines. Requests arrive on stdin, one per
line. The child of each run writes its events straight to the protocol pipe (so a child killed at
its time limit has already delivered what it made), and the worker adds one ``exit`` line after
the child is gone. The worker itself never creates a ``tf.Session``: children of a process that
ran a Session deadlock in ``sess.run``.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time
from typing import Any, Callable

from viz.backend import limits, sandbox

# How long a child may ignore its soft timeout (SIGALRM) before it is killed outright.
KILL_GRACE_S = 1.0


def _writer(fd: int) -> Callable[[dict[str, Any]], None]:
    """Sends protocol messages as JSON lines, each written at once (a child may die any time)."""

    def send(message: dict[str, Any]) -> None:
        data = (json.dumps(message, default=str) + "\n").encode("utf-8")
        while data:
            data = data[os.write(fd, data):]

    return send


def _warm_up() -> None:
    """Builds a throwaway graph so the first real run finds TF's lazy imports already done."""
    import tensorflow.compat.v1 as tf

    with tf.variable_scope("warm_up"):
        x = tf.placeholder(tf.float32, [None, 2])
        w = tf.get_variable("w", [2, 2])
        y = tf.layers.dense(tf.matmul(x, w), 2)
        tf.train.AdamOptimizer().minimize(tf.reduce_sum(y))
        tf.nn.rnn_cell.BasicLSTMCell(2)
    tf.reset_default_graph()


def _single_threaded_sessions() -> None:
    """Sessions use one intra-op and one inter-op thread unless the snippet asks otherwise:
    with a run per core, TF's default of a pool per core would oversubscribe the machine."""
    import tensorflow.compat.v1 as tf
    from tensorflow.python.client import session

    original_init = session.BaseSession.__init__

    def init(self: Any, target: str = "", graph: Any = None, config: Any = None) -> None:
        patched = tf.ConfigProto()
        if config is not None:
            patched.CopyFrom(config)
        patched.intra_op_parallelism_threads = patched.intra_op_parallelism_threads or 1
        patched.inter_op_parallelism_threads = patched.inter_op_parallelism_threads or 1
        original_init(self, target, graph, config=patched)

    session.BaseSession.__init__ = init


def _read_capped(fd: int, limit: int) -> str:
    data = os.pread(fd, limit + 1, 0)
    text = data[:limit].decode("utf-8", "replace")
    return text + ("\n[output truncated]\n" if len(data) > limit else "")


def _serve(request: dict[str, Any], proto_fd: int, run: Callable[..., None]) -> None:
    send = _writer(proto_fd)
    limit = int(request["output_limit"])
    timeout = float(request["timeout"])
    raw_out = os.memfd_create("snippet-stdout")
    raw_err = os.memfd_create("snippet-stderr")
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.setpgid(0, 0)
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(raw_out, 1)
            os.dup2(raw_err, 2)
            limits.apply(int(request["memory_limit"]))
            if request.get("hosted"):
                try:
                    sandbox.enter()
                except sandbox.SandboxUnavailable as exc:
                    send({"k": "done", "elapsed_ms": 0.0, "error": {
                        "type": "Blocked", "message": f"hosted mode cannot run snippets on "
                        f"this machine: {exc}", "line": None, "column": None}})
                    os._exit(0)
            run(request["source"], request["filename"], timeout, limit, send,
                hosted=bool(request.get("hosted")))
        except BaseException:  # noqa: BLE001 - a child must never return into the serve loop
            code = 70
        finally:
            os._exit(code)
    try:
        os.setpgid(pid, pid)
    except OSError:  # the child already did it, or already exited
        pass
    pidfd = os.pidfd_open(pid)
    timed_out = not select.select([pidfd], [], [], timeout + KILL_GRACE_S)[0]
    try:
        os.killpg(pid, signal.SIGKILL)  # also reaps any process the snippet started
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    os.close(pidfd)
    exit_message: dict[str, Any] = {
        "k": "exit",
        "timed_out": timed_out,
        "code": os.waitstatus_to_exitcode(status),
        "signal": signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status) else None,
        "raw_stdout": _read_capped(raw_out, limit),
        "raw_stderr": _read_capped(raw_err, limit),
        "wall_ms": (time.perf_counter() - started) * 1000.0,
    }
    os.close(raw_out)
    os.close(raw_err)
    # A child killed mid-write may have left half a line: end it so the exit line stands alone.
    os.write(proto_fd, b"\n")
    send(exit_message)


def main() -> None:
    """Serves requests until stdin closes."""
    proto_fd = os.dup(1)
    os.dup2(2, 1)  # anything printed by TF or by us must not corrupt the protocol
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tensorflow.compat.v1 as tf

    tf.disable_v2_behavior()
    from viz.backend import runner, tracer

    tracer.install()
    _single_threaded_sessions()
    _warm_up()
    _writer(proto_fd)({"k": "ready", "tf": tf.VERSION, "pid": os.getpid()})
    for line in sys.stdin.buffer:
        if line.strip():
            _serve(json.loads(line), proto_fd, runner.run)


if __name__ == "__main__":
    main()
