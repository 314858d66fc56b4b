"""A run's own world: Linux namespaces around a forked run, so that outside it there is
nothing to name. Filters (Landlock, seccomp: :mod:`viz.backend.sandbox`) come second.

- PID: the zygote calls :func:`new_pid_namespace` just before it starts the namespace's
  process 1 (a ``cat`` that no signal from inside reaches) and forks the run, which is
  process 2. The run sees no other process (not the server, the zygote or another run: there
  is no pid to pass to ``kill`` or ``prlimit``), and killing process 1 ends everything it
  started, whatever it did with ``setpgid``, ``setsid`` or its parent-death signal.
- mount: a file tree of its own, built on a small tmpfs and entered with ``pivot_root``: the
  folders Python and TensorFlow need, bound read-only at their usual paths, a fresh ``/proc``
  that shows only its namespace (itself and process 1), and ``/tmp``, a tmpfs of its own
  (``nosuid``, ``nodev``, ``noexec``, bounded in bytes and inodes) that is its writable space
  and is gone with it.
  ``stat`` of any other host path finds nothing.
- network, IPC and UTS: no interface but a down loopback, no SysV object of the host or of
  another run, a host name of its own.
- user: when the server is root, each run drops to a uid and gid of its own (one per run in
  flight: :func:`run_uid`), then enters a user namespace that maps only that uid. A server
  running as an ordinary user can map only its own uid: its zygote first enters user, PID and
  mount namespaces of its own (:func:`zygote_world`), which lets it make its runs' namespaces
  and come back to its own after each fork; its runs share its uid outside and are kept
  apart by their PID namespaces.
"""

from __future__ import annotations

import ctypes
import os

from viz.backend.policy import LIMITS

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000
MNT_DETACH = 2
SYS_PIVOT_ROOT = 155  # x86_64
PR_SET_DUMPABLE = 4
PR_SET_PDEATHSIG = 1
SIGKILL = 9

# A run's uid when the server is root: one per zygote (by its pid) and per run in flight in
# it, far above the uids of people and of the usual subordinate ranges (/etc/subuid).
RUN_UID_BASE = 1_000_000_000
# What the run sees as its own uid and gid inside its user namespace.
INSIDE_ID = 1000
HOST_NAME = b"scopeviz"
# The run's writable space, a tmpfs of its own (where a TF2 run's checkpoint is written).
SPACE = "/tmp"
# Where the new root is built: a mount point that exists on every host, hidden by the tmpfs
# in the run's own mount namespace only (what is bound from under it is opened first).
BUILD_AT = "/tmp"

_libc = ctypes.CDLL(None, use_errno=True)


class NamespaceUnavailable(RuntimeError):
    """The kernel refused a namespace or a mount the run's world needs."""


def _check(result: int, what: str) -> None:
    if result < 0:
        error = ctypes.get_errno()
        raise NamespaceUnavailable(f"{what} failed: {os.strerror(error)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int,
           data: str | None = None) -> None:
    _check(_libc.mount(source and source.encode(), target.encode(), fstype and fstype.encode(),
                       flags, data and data.encode()), f"mount({target})")


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="ascii") as file:
        file.write(text)


def zygote_world(keep: int) -> None:
    """Makes a non-root zygote root of user, PID and mount namespaces of its own, with a
    /proc that shows its PID namespace (it reads its runs' /proc entries by their pids).

    The calling process stays outside as a monitor: it closes ``keep`` (the zygote's control
    socket, which the zygote keeps), waits for the zygote and exits as it did; the zygote
    dies with it (``PR_SET_PDEATHSIG``), so the executor's kill still ends both. Must run
    while the process has one thread (before TensorFlow starts any); returns in the zygote.
    """
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS),
           "unshare(user, PID and mount namespaces)")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"0 {uid} 1")
    _write("/proc/self/gid_map", f"0 {gid} 1")
    zygote = os.fork()
    if zygote:
        os.close(keep)
        _, status = os.waitpid(zygote, 0)
        os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
    _check(_libc.prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0), "prctl(PR_SET_PDEATHSIG)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def own_pid_namespace() -> int:
    """A descriptor of this process's PID namespace, to come back to after each fork."""
    return os.open("/proc/self/ns/pid", os.O_RDONLY | os.O_CLOEXEC)


def new_pid_namespace() -> None:
    """The next child this process forks is process 1 of a new PID namespace. Until
    :func:`back_to` undoes it, this process cannot start a thread (the kernel refuses
    ``CLONE_THREAD`` while children would land in another namespace)."""
    _check(_libc.unshare(CLONE_NEWPID), "unshare(PID namespace)")


def back_to(pid_namespace: int) -> None:
    """This process's children are born in its own PID namespace again."""
    _check(_libc.setns(pid_namespace, CLONE_NEWPID), "setns(PID namespace)")


def run_uid(zygote_pid: int, slot: int) -> int:
    """The outside uid of run ``slot`` (0 to :data:`LIMITS.runs_per_zygote` - 1) of a root zygote:
    distinct for every run in flight on the machine, as zygote pids are."""
    return RUN_UID_BASE + (zygote_pid % (1 << 20)) * LIMITS.runs_per_zygote + slot


def _under(path: str, folders: list[str]) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def _sources(paths: list[str]) -> dict[str, int | str]:
    """What to put into the tree for each host path, taken before the tree hides any of
    them: a symlink's target text (its target is bound on its own), else an ``O_PATH``
    descriptor of the folder or file, bound later through /proc/self/fd."""
    sources: dict[str, int | str] = {}
    for path in sorted(paths):
        if _under(path, list(sources)):
            continue
        sources[path] = (os.readlink(path) if os.path.islink(path)
                         else os.open(path, os.O_PATH | os.O_CLOEXEC))
    return sources


def _place(path: str, source: int | str, root: str) -> None:
    """Puts host ``path`` into the tree at ``root``, at the same path: a symlink as the same
    symlink, a folder or file bound read-only."""
    target = root + path
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    if isinstance(source, str):
        os.symlink(source, target)
        return
    if os.path.isdir(f"/proc/self/fd/{source}"):
        os.mkdir(target, 0o755)
    else:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT, 0o644))
    _mount(f"/proc/self/fd/{source}", target, None, MS_BIND | MS_REC)
    os.close(source)
    # /dev/null and /dev/urandom are devices: nodev would make them unusable
    device = path.startswith("/dev/")
    _mount(None, target, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID
           | (0 if device else MS_NODEV))


def enter(readable: list[str], own: list[str], space_bytes: int, space_inodes: int,
          uid: int | None) -> None:
    """Moves this process (the run, in a fresh PID namespace) into a world of its own.

    Args:
        readable: host paths the run may read, bound read-only at the same paths (Python,
            TensorFlow, system libraries; a private copy of a checkpoint it checks). Paths
            under /proc are left out: the run gets a /proc of its own.
        own: host folders this run alone reads (its private checkpoint copy): given to its
            uid before they are bound, as the server created them for itself.
        space_bytes, space_inodes: the bounds of its writable /tmp.
        uid: its outside uid and gid (:func:`run_uid`); None keeps the zygote's, which is
            all a zygote in a user namespace of its own can map (a non-root server's).

    Raises:
        NamespaceUnavailable: the kernel refused a step; the run must not go ahead.
    """
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    _check(_libc.unshare(flags), "unshare(mount, network, IPC and UTS namespaces)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)  # nothing mounted here reaches the host
    if uid is not None:
        for folder in own:
            os.chown(folder, uid, uid)
    sources = _sources([p for p in readable
                        if not _under(p, ["/proc"]) and os.path.lexists(p)])
    root = BUILD_AT
    _mount("scopeviz-root", root, "tmpfs", MS_NOSUID | MS_NODEV,
           "size=1m,nr_inodes=4096,mode=0755")
    os.mkdir(root + SPACE, 0o755)
    _mount("scopeviz-space", root + SPACE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
           f"size={space_bytes},nr_inodes={space_inodes},mode=0700,"
           f"uid={uid or 0},gid={uid or 0}")
    for path, source in sources.items():  # after the space: a checkpoint's copy is in /tmp
        _place(path, source, root)
    os.mkdir(root + "/proc", 0o555)
    _mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    os.mkdir(root + "/.old")
    _check(_libc.syscall(SYS_PIVOT_ROOT, root.encode(), (root + "/.old").encode()),
           "pivot_root")
    os.chdir("/")
    _check(_libc.umount2(b"/.old", MNT_DETACH), "umount2(/.old)")
    os.rmdir("/.old")
    _mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    _check(_libc.sethostname(HOST_NAME, len(HOST_NAME)), "sethostname")
    _own_user(uid)


def _own_user(uid: int | None) -> None:
    """Drops to the run's own uid (when given), then enters a user namespace mapping only
    that uid to :data:`INSIDE_ID`."""
    if uid is not None:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    else:
        uid = os.geteuid()
    # A changed uid makes the process non-dumpable, and /proc/self then belongs to root: the
    # maps below (and TF naming its threads in /proc/self/task) need it to be the run's.
    _check(_libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")
    _check(_libc.unshare(CLONE_NEWUSER), "unshare(user namespace)")
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{INSIDE_ID} {uid} 1")
    _write("/proc/self/gid_map", f"{INSIDE_ID} {uid} 1")
