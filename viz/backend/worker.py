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
``LIMITS.demote_after_cpu_s`` of CPU is lowered to the weakest priority (nice 19), so a loop
cannot hold up the short runs next to it (a multilevel feedback queue with two levels).

Nothing outlives a run: each run lives in a PID namespace of its own
(:mod:`viz.backend.namespaces`), so killing it ends everything it started, whatever it did with
``setpgid``, ``setsid`` or its parent-death signal, and a sealed run finds no process outside
to name. Where the kernel refuses PID namespaces (said once in the server's log) local runs
fall back to process groups and subreapers, and hosted runs are refused (``Blocked``).
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

from viz.backend import control, limits, namespaces, sandbox
from viz.backend.execute import start_namespace_init
from viz.backend.policy import LIMITS

# How often running runs are checked for their deadline and CPU use.
TICK_S = 0.1
# The run's fds: 0 /dev/null, 1 stdout file, 2 stderr file, CHANNEL_FD its channel.
CHANNEL_FD = 3

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
_libc = ctypes.CDLL(None, use_errno=True)
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# What `import tensorflow` means in this zygote's runs (argv[2]): tf1, tf2 or tf2-legacy.
_flavour = "tf1"
# Why runs cannot have PID namespaces here ("" when they can), found once at start.
_no_namespaces = ""
# Root outside any user namespace of its own: each sealed run then gets a uid of its own.
_real_root = False
# This zygote's own PID namespace, which it returns to after forking each run into a new one.
_pid_namespace = -1


def _send(control_socket: socket.socket, message: control.Message) -> None:
    control_socket.sendmsg([control.encode(message)])


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


def _read_request(limit: int = LIMITS.max_request_bytes) -> dict[str, Any]:
    """The run's request: one JSON line, read from its own channel after sealing."""
    data = bytearray()
    while not data.endswith(b"\n"):
        chunk = os.read(CHANNEL_FD, 1 << 16)
        if not chunk or len(data) > limit:
            os._exit(0)  # the executor went away or sent nonsense: nothing to run
        data += chunk
    return json.loads(data)


def _child(spawn: control.Spawn, fds: list[int], control_socket: socket.socket, zygote: int,
           uid: int | None) -> None:
    """The run's process, from fork to exit: keeps its three fds, seals itself, runs. ``uid``
    is its own uid when sealed by a root zygote."""
    code = 0
    try:
        control_socket.detach()  # its fd is closed below; the object must not close a reused number
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setpgid(0, 0)
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        # The zygote died before the line above took effect. (In a PID namespace the parent
        # is 0 either way; an orphaned run reads the end of its channel and exits.)
        if os.getppid() not in (zygote, 0):
            os._exit(0)
        _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        channel, out, err = fds
        devnull = os.open(os.devnull, os.O_RDWR)
        os.dup2(devnull, 0)
        os.dup2(out, 1)
        os.dup2(err, 2)
        os.dup2(channel, CHANNEL_FD)
        os.closerange(CHANNEL_FD + 1, limits.max_fd())
        limits.apply(spawn.memory_limit)
        from viz.backend import channel as protocol
        from viz.backend import runner

        sender = protocol.Sender(CHANNEL_FD)
        if spawn.hosted:
            try:
                if _no_namespaces:
                    raise sandbox.SandboxUnavailable(_no_namespaces)
                sandbox.enter(spawn.readable, uid)
            except sandbox.SandboxUnavailable as exc:
                sender.send({"k": "done", "elapsed_ms": 0.0, "error": {
                    "type": "Blocked", "message": f"hosted mode cannot run snippets on this "
                    f"machine: {exc}", "line": None, "column": None}})
                os._exit(0)
        runner.run(_read_request(), sender, hosted=spawn.hosted, flavour=_flavour)
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
    slot: int
    init: int | None  # process 1 of its PID namespace (None: none here)
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

    def __init__(self, control_socket: socket.socket) -> None:
        self.control = control_socket
        self.runs: dict[int, _Run] = {}
        self.wakeup_read, self.wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        # Each namespace's process 1 reads this pipe and exits when the zygote is gone.
        self.alive_read, self.alive_write = os.pipe2(os.O_CLOEXEC)
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
            control.MAX_BYTES, socket.CMSG_SPACE(3 * fds.itemsize))
        for level, kind, payload in ancillary:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
        for fd in fds:  # only the run they are for may hold them, not a namespace's process 1
            os.set_inheritable(fd, False)
        if not data:
            return False
        try:
            command = control.decode(data, control.Spawn, control.Stop)
        except control.BadControlMessage:
            command = None  # from the executor, which sends none: ignored, its fds closed
        if isinstance(command, control.Spawn) and len(fds) == 3:
            self._spawn(command, list(fds))
            return True
        for fd in fds:
            os.close(fd)
        if isinstance(command, control.Stop):
            # runs are kept by pid; the executor names a run by its id
            run = next((run for run in self.runs.values() if run.id == command.id), None)
            if run is not None:
                run.stopped = True
                self._kill(run)
        return True

    def _spawn(self, command: control.Spawn, fds: list[int]) -> None:
        zygote = os.getpid()
        slot = min(set(range(len(self.runs) + 1)) - {run.slot for run in self.runs.values()})
        init = None
        try:
            if slot >= LIMITS.runs_per_zygote:
                raise OSError(f"{slot} runs are in flight already")
            if not _no_namespaces:
                namespaces.new_pid_namespace()
            try:
                if not _no_namespaces:
                    init = start_namespace_init(self.alive_read)
                pid = os.fork()
            finally:  # the zygote only: the run stays in its new namespace
                if not _no_namespaces and os.getpid() == zygote:
                    namespaces.back_to(_pid_namespace)
        except (OSError, namespaces.NamespaceUnavailable) as exc:
            # out of memory or processes: this run fails, the zygote stays
            if init is not None:
                os.kill(init, signal.SIGKILL)
            for fd in fds:
                os.close(fd)
            _send(self.control, control.Ended(
                id=command.id, timed_out=False, stopped=False, code=None, signal=None,
                wall_ms=0.0, cpu_demoted=False,
                error=f"the worker could not start a process: {exc}"))
            return
        if pid == 0:
            _child(command, fds, self.control, zygote,
                   namespaces.run_uid(zygote, slot) if _real_root else None)
        for fd in fds:
            os.close(fd)
        try:
            os.setpgid(pid, pid)
        except OSError:  # the child already did it, or already exited
            pass
        now = time.monotonic()
        self.runs[pid] = _Run(command.id, pid, now, now + command.timeout + LIMITS.kill_grace_s,
                              slot, init)

    @staticmethod
    def _kill(run: _Run) -> None:
        """Kills the run and all it started: killing process 1 of its PID namespace ends the
        whole namespace (without namespaces, its process group)."""
        kills = [(os.killpg, run.pid)] if run.init is None else [
            (os.kill, run.init), (os.kill, run.pid)]
        for kill, pid in kills:
            try:
                kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    @staticmethod
    def _demote(run: _Run) -> None:
        """Lowers each of the run's threads to nice 19 (a thread's priority is its own). A
        local run's children share its process group, which is lowered as well."""
        try:
            threads = os.listdir(f"/proc/{run.pid}/task")
        except OSError:
            return
        for tid in threads:
            try:
                os.setpriority(os.PRIO_PROCESS, int(tid), LIMITS.demoted_nice)
            except OSError:
                pass
        try:
            os.setpriority(os.PRIO_PGRP, run.pid, LIMITS.demoted_nice)
        except OSError:
            pass

    def _tick(self) -> None:
        now = time.monotonic()
        for run in self.runs.values():
            if now >= run.deadline and not run.timed_out:
                run.timed_out = True
                self._kill(run)
            elif not run.demoted and _cpu_seconds(run.pid) > LIMITS.demote_after_cpu_s:
                run.demoted = True
            if run.demoted:
                # Every tick: threads started since inherit nice 0 from their creators.
                self._demote(run)

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
        """Kills what the run left behind and waits until it is gone, then tells the executor
        how it ended. A run in a PID namespace of its own leaves nothing outside it, and the
        namespace's process 1 can be reaped only once the namespace is empty: waiting for it
        is enough (scanning every process of the host after each run took a third of the
        zygote's time in a room of 700). Without namespaces its orphans come here."""
        self._kill(run)
        if run.init is None:
            self._sweep()
        else:
            try:
                os.waitpid(run.init, 0)
            except ChildProcessError:
                pass  # reaped already, after a timeout's kill: its namespace is empty
        _send(self.control, control.Ended(
            id=run.id, timed_out=run.timed_out, stopped=run.stopped,
            code=os.waitstatus_to_exitcode(status),
            signal=signal.Signals(os.WTERMSIG(status)).name if os.WIFSIGNALED(status)
            else None,
            wall_ms=(time.monotonic() - run.started) * 1000.0,
            cpu_demoted=run.demoted))

    def _sweep(self) -> None:
        """Kills and reaps every child that is not a live run: what ended runs left behind
        (their orphans come here, as this process is a subreaper)."""
        live = set(self.runs) | {run.init for run in self.runs.values()}
        for _ in range(1000):
            strays = _children() - live
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


def _find_namespaces(control_socket: socket.socket) -> None:
    """Whether runs can have PID namespaces. A root zygote makes them and comes back to its
    own after each fork; a non-root one must first be root of namespaces of its own (the
    host's PID namespace is not its to come back to)."""
    global _no_namespaces, _pid_namespace, _real_root
    try:
        if os.geteuid() == 0:
            _real_root = True
        else:
            namespaces.zygote_world(control_socket.fileno())
        _pid_namespace = namespaces.own_pid_namespace()
        namespaces.new_pid_namespace()
        namespaces.back_to(_pid_namespace)
    except (namespaces.NamespaceUnavailable, OSError) as exc:
        _no_namespaces = f"the kernel refused a PID namespace ({exc})"


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
    control_socket = socket.socket(fileno=int(sys.argv[1]))
    _flavour = sys.argv[2] if len(sys.argv) > 2 else "tf1"
    _find_namespaces(control_socket)  # while this process has one thread
    os.set_inheritable(control_socket.fileno(), False)
    os.dup2(2, 1)  # anything TF prints goes to the log, never to a run
    if _flavour != "tf2":
        os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tensorflow.compat.v1 as tf

    from viz.backend import channel, runner, tf1_hooks  # noqa: F401 - imported before forking

    if _flavour == "tf1":
        tf.disable_v2_behavior()
        tf1_hooks.install()
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
    _send(control_socket, control.Ready(tf=tf.VERSION, pid=os.getpid(),
                                        no_namespaces=_no_namespaces))
    Zygote(control_socket).serve()


if __name__ == "__main__":
    main()
