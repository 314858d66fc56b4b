"""The one place that starts processes: the TF worker, graphviz's ``dot``, and process 1 of
each run's PID namespace (runs themselves are forks of the worker)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import IO

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# oneDNN's CPU allocator retries a failed allocation for 20 s; TF's own fails at once, so a
# tensor too big for the run's memory limit is a MemoryLimit, not a Timeout.
WORKER_ENV = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
# tf.layers and friends need Keras 2 (the tf-keras package) under TF 2.16 and newer, and so
# does a TF2 snippet that opts into tf-keras; TF2 mode's own `tf.keras` is Keras 3.
LEGACY_KERAS_ENV = {"TF_USE_LEGACY_KERAS": "1"}
FLAVOURS = ("tf1", "tf2", "tf2-legacy")


class DrawingFailed(RuntimeError):
    """The graph could not be drawn; the trace and its other formats are still good."""


class DotNotFound(DrawingFailed):
    """Graphviz's ``dot`` program is not installed."""


def start_worker(log: IO[bytes], control_fd: int, hosted: bool = False,
                 flavour: str = "tf1") -> subprocess.Popen[bytes]:
    """Starts the zygote, ``python -m viz.backend.worker FD FLAVOUR``, FD being its control
    socket and FLAVOUR one of :data:`FLAVOURS` (what ``import tensorflow`` means in its runs).

    Args:
        log: where the worker's stderr goes (TF's import chatter, a crash report).
        control_fd: the zygote's end of the control socket; the only descriptor it inherits.
        hosted: start it with a clean environment, so that no server variable (a token, a
            password) is anywhere in its memory for a snippet to find.
    """
    if hosted:
        env = {key: os.environ[key] for key in ("PATH", "LANG", "HOME") if key in os.environ}
    else:
        env = dict(os.environ)
    env.update(WORKER_ENV)
    if flavour == "tf2":
        env.pop("TF_USE_LEGACY_KERAS", None)
    else:
        env.update(LEGACY_KERAS_ENV)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if p)
    return subprocess.Popen(
        [sys.executable, "-m", "viz.backend.worker", str(control_fd), flavour],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        pass_fds=(control_fd,),
        env=env,
        cwd=str(PROJECT_ROOT),
    )


def start_namespace_init(alive: int) -> int:
    """Starts process 1 of a new PID namespace (the zygote has just unshared one): ``cat``,
    reading ``alive``, a pipe whose other end only the zygote holds, so that it exits, and
    takes the namespace with it, when the zygote goes. Spawned, not forked: a fork of the
    TensorFlow zygote costs ~18 ms, a spawn 0.3 ms. Returns its pid.

    Process 1 is not the run itself because the kernel shields process 1 from every signal
    it sends itself (a snippet's ``os.kill(os.getpid(), SIGSEGV)`` would not end it); and
    nothing in the namespace can signal it, so the run cannot end its own namespace early.
    """
    return os.posix_spawn("/bin/cat", ["cat"], {}, file_actions=[
        (os.POSIX_SPAWN_DUP2, alive, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])


def run_dot(source: str, fmt: str, timeout: float = 60.0) -> bytes:
    """Renders DOT text with graphviz's ``dot`` to ``svg``, ``png`` or another output format.

    Raises:
        DotNotFound: ``dot`` is not on PATH (install Debian's ``graphviz`` package).
        DrawingFailed: ``dot`` rejected the input or ran out of time.
    """
    try:
        done = subprocess.run(["dot", f"-T{fmt}"], input=source.encode("utf-8"),
                              capture_output=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise DotNotFound("graphviz's `dot` program was not found; install the graphviz "
                          "package (Debian: apt-get install graphviz)") from exc
    except subprocess.TimeoutExpired as exc:
        raise DrawingFailed(f"graphviz took longer than {timeout:g} s") from exc
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DrawingFailed(f"graphviz failed: {reason[0][:300] if reason else 'no message'}")
    return done.stdout
