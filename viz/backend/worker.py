"""The zygote: imports TensorFlow once, then forks one process per run and supervises it.

Run as ``python -m viz.backend.worker FD [FLAVOUR]``, where FD is its end of a Unix
``SOCK_SEQPACKET`` control socket and FLAVOUR what ``import tensorflow`` means in its runs:
``tf1`` (compat.v1 in graph mode, the default), ``tf2`` (TF2 with Keras 3) or ``tf2-legacy``
(TF2 with tf-keras as ``tf.keras``). It never sees a request or a result: with each
``spawn`` command the executor passes (SCM_RIGHTS) the run's own channel socket and its
stdout/stderr files; the zygote forks,
the child keeps those three and nothing else, seals itself (limits, and the sandbox when hosted)
and only then reads its source from its channel. The zygote only tracks the process: its time
limit, its CPU share and its end, which it reports as an ``ended`` command.

Fairness: runs execute side by side and the OS shares the cores; a run that has used more than
:data:`DEMOTE_AFTER_CPU_S` of CPU is lowered to the weakest priority (nice 19), so a loop cannot
hold up the short runs next to it (a multilevel feedback queue with two levels).

Nothing outlives a run: the zygote and every run are child subreapers, so whatever a snippet
starts (even a double fork with ``setsid``) stays beneath its run while the run lives and
returns to the zygote when it ends, and the zygote kills every process that is not a live run.
"""

from __future__ import annotations

import array
import ctypes
import gc
import json
import os
import select
import signal
import socket
import sys
import time
from dataclasses import dataclass
from typing import Any

from viz.backend import limits, sandbox

# How long a run may ignore its soft timeout (SIGALRM) before it is killed outright.
KILL_GRACE_S = 1.0
# CPU seconds after which a run yields to the others (nice 19).
DEMOTE_AFTER_CPU_S = 1.0
DEMOTED_NICE = 19
# How often running runs are checked for their deadline and CPU use.
TICK_S = 0.1
CONTROL_MESSAGE_BYTES = 4096
# The run's fds: 0 /dev/null, 1 stdout file, 2 stderr file, CHANNEL_FD its channel.
CHANNEL_FD = 3
MAX_REQUEST_BYTES = 4 * 1024 * 1024

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
_libc = ctypes.CDLL(None, use_errno=True)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# What `import tensorflow` means in this zygote's runs (argv[2]): tf1, tf2 or tf2-legacy.
_flavour = "tf1"


def _send(control: socket.socket, message: dict[str, Any]) -> None:
    control.sendmsg([json.dumps(message).encode("utf-8")])


def _warm_up() -> None:
    """Builds a throwaway graph so the first real run finds TF's lazy imports already done.

    No ``tf.Session`` here: children of a process that ran a Session deadlock in ``sess.run``.
    """
    import tensorflow.compat.v1 as tf

    with tf.variable_scope("warm_up"):
        x = tf.placeholder(tf.float32, [None, 2])
        w = tf.get_variable("w", [2, 2])
        y = tf.layers.dense(tf.matmul(x, w), 2)
        tf.train.AdamOptimizer().minimize(tf.reduce_sum(y))
        tf.nn.rnn_cell.BasicLSTMCell(2)
    tf.reset_default_graph()
    # Device discovery probes CUDA (the tensorflow wheel is built with it) and logs a failed
    # cuInit; done here once, it stays in the worker's log instead of every run's stderr.
    tf.config.list_physical_devices()


def _single_threaded_sessions() -> None:
    """Sessions use one intra-op and one inter-op thread unless the snippet asks otherwise:
    with several runs per core, TF's default of a pool per core would oversubscribe it."""
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


def _read_request(limit: int = MAX_REQUEST_BYTES) -> dict[str, Any]:
    """The run's request: one JSON line, read from its own channel after sealing."""
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = os.read(CHANNEL_FD, 1 << 16)
        if not chunk or len(data) > limit:
            os._exit(0)  # the executor went away or sent nonsense: nothing to run
        data += chunk
    return json.loads(data)


def _child(spawn: dict[str, Any], fds: list[int], control: socket.socket, zygote: int) -> None:
    """The run's process, from fork to exit: keeps its three fds, seals itself, runs."""
    code = 0
    try:
        control.detach()  # its fd is closed below; the object must not close a reused number
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setpgid(0, 0)
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != zygote:  # the zygote died before the line above took effect
            os._exit(0)
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        channel, out, err = fds
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.dup2(channel, CHANNEL_FD)
        os.closerange(CHANNEL_FD + 1, limits.max_fd())
        limits.apply(int(spawn["memory_limit"]))
        from viz.backend import channel as protocol
        from viz.backend import runner

        sender = protocol.Sender(CHANNEL_FD)
        if spawn["hosted"]:
            try:
                sandbox.enter(tuple(str(p) for p in spawn.get("readable", [])),
                              tuple(str(p) for p in spawn.get("writable", [])))
            except sandbox.SandboxUnavailable as exc:
                sender.send({"k": "done", "elapsed_ms": 0.0, "error": {
                    "type": "Blocked", "message": f"hosted mode cannot run snippets on this "
                    f"machine: {exc}", "line": None, "column": None}})
                os._exit(0)
        runner.run(_read_request(), sender, hosted=bool(spawn["hosted"]), flavour=_flavour)
    except BaseException:  # noqa: BLE001 - a child must never return into the zygote's loop
        code = 70
    finally:
        os._exit(code)


@dataclass
class _Run:
    """A run's process as the zygote sees it: no source, no output, only the process."""

    id: int
    pid: int
    started: float
    deadline: float
    timed_out: bool = False
    stopped: bool = False
    demoted: bool = False


def _stat(pid: int | str) -> list[bytes] | None:
    """The fields of /proc/PID/stat after the command name (which may hold spaces and
    parentheses): state, ppid, ...; None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all its threads included."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS if fields else 0.0


def _children() -> set[int]:
    """This process's child processes, orphans given to it as subreaper included (read from
    every process's stat: /proc/PID/task/TID/children is not in every kernel)."""
    me = str(os.getpid()).encode()
    return {int(entry) for entry in os.listdir("/proc")
            if entry.isdigit() and (fields := _stat(entry)) and fields[1] == me}


class Zygote:
    """Forks runs on command, enforces their limits and reports how each ended."""

    def __init__(self, control: socket.socket) -> None:
        self.control = control
        self.runs: dict[int, _Run] = {}
        self.wakeup_read, self.wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(self.wakeup_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)

    def serve(self) -> None:
        """Serves commands until the executor closes the control socket."""
        while True:
            timeout = TICK_S if self.runs else None
            ready = select.select([self.control, self.wakeup_read], [], [], timeout)[0]
            if self.wakeup_read in ready:
                while True:
                    try:
                        if not os.read(self.wakeup_read, 512):
                            break
                    except BlockingIOError:
                        break
            if self.control in ready and not self._command():
                break
            self._reap()
            self._tick()
        for run in self.runs.values():
            self._kill(run)

    def _command(self) -> bool:
        fds = array.array("i")
        data, ancillary, _, _ = self.control.recvmsg(
            CONTROL_MESSAGE_BYTES, socket.CMSG_SPACE(3 * fds.itemsize))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
        if not data:
            return False
        command = json.loads(data)
        if command["op"] == "spawn" and len(fds) == 3:
            self._spawn(command, list(fds))
        else:
            for fd in fds:
                os.close(fd)
            # runs are kept by pid; the executor names a run by its id
            run = next((run for run in self.runs.values() if run.id == command.get("id")),
                       None)
            if command["op"] == "stop" and run is not None:
                run.stopped = True
                self._kill(run)
        return True

    def _spawn(self, command: dict[str, Any], fds: list[int]) -> None:
        zygote = os.getpid()
        try:
            pid = os.fork()
        except OSError as exc:  # out of memory or processes: this run fails, the zygote stays
            for fd in fds:
                os.close(fd)
            _send(self.control, {"op": "ended", "id": command["id"], "timed_out": False,
                                 "stopped": False, "code": None, "signal": None,
                                 "wall_ms": 0.0, "cpu_demoted": False,
                                 "error": f"the worker could not start a process: {exc}"})
            return
        if pid == 0:
            _child(command, fds, self.control, zygote)
        for fd in fds:
            os.close(fd)
        try:
            os.setpgid(pid, pid)
        except OSError:  # the child already did it, or already exited
            pass
        now = time.monotonic()
        run_id = int(command["id"])
        self.runs[pid] = _Run(run_id, pid, now, now + float(command["timeout"]) + KILL_GRACE_S)

    @staticmethod
    def _kill(run: _Run) -> None:
        try:
            os.killpg(run.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def _tick(self) -> None:
        now = time.monotonic()
        for run in self.runs.values():
            if now >= run.deadline and not run.timed_out:
                run.timed_out = True
                self._kill(run)
            elif not run.demoted and _cpu_seconds(run.pid) > DEMOTE_AFTER_CPU_S:
                run.demoted = True
            if run.demoted:
                # Every tick: threads started since inherit nice 0 from their creators.
                try:
                    os.setpriority(os.PRIO_PGRP, run.pid, DEMOTED_NICE)
                except OSError:
                    pass

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            run = self.runs.pop(pid, None)
            if run is not None:
                self._finish(run, status)

    def _finish(self, run: _Run, status: int) -> None:
        """Kills what the run left behind, then tells the executor how it ended."""
        self._kill(run)
        self._sweep()
        _send(self.control, {
            "op": "ended", "id": run.id, "timed_out": run.timed_out, "stopped": run.stopped,
            "code": os.waitstatus_to_exitcode(status),
            "signal": signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status)
            else None,
            "wall_ms": (time.monotonic() - run.started) * 1000.0,
            "cpu_demoted": run.demoted,
        })

    def _sweep(self) -> None:
        """Kills and reaps every child that is not a live run: what ended runs left behind
        (their orphans come here, as this process is a subreaper)."""
        for _ in range(1000):
            strays = _children() - set(self.runs)
            if not strays:
                return
            for pid in strays:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            for pid in strays:
                try:
                    os.waitpid(pid, 0)
                except ChildProcessError:
                    pass


def _prepare_tf2(flavour: str) -> None:
    """TF2 zygotes import TF and Keras and install the TF2 hooks, but run no op: a child
    forked after an eager op deadlocks in its own first one."""
    from viz.backend import tracer_tf2

    if flavour == "tf2":
        import keras  # noqa: F401 - Keras 3, imported once for every run
        import keras.src.backend.tensorflow  # noqa: F401
    else:
        import tf_keras  # noqa: F401
    tracer_tf2.install("keras3" if flavour == "tf2" else "tf_keras")


def main() -> None:
    """Imports TF, warms it up, then serves the control socket given as argv[1]."""
    global _flavour
    control = socket.socket(fileno=int(sys.argv[1]))
    _flavour = sys.argv[2] if len(sys.argv) > 2 else "tf1"
    os.set_inheritable(control.fileno(), False)
    os.dup2(2, 1)  # anything TF prints goes to the log, never to a run
    if _flavour != "tf2":
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tensorflow.compat.v1 as tf

    from viz.backend import channel, runner, tracer  # noqa: F401 - imported before forking

    if _flavour == "tf1":
        tf.disable_v2_behavior()
        tracer.install()
        _single_threaded_sessions()
        _warm_up()
    else:
        _prepare_tf2(_flavour)
    sandbox.prepare()
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    # CPython's advice for fork servers: children's collections then leave the zygote's
    # objects (and the memory pages they sit on) alone.
    gc.collect()
    gc.freeze()
    _send(control, {"op": "ready", "tf": tf.VERSION, "pid": os.getpid()})
    Zygote(control).serve()


if __name__ == "__main__":
    main()
