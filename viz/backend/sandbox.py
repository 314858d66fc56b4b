"""Hosted mode: the kernel walls a forked child puts around itself before running a stranger's
snippet. Each layer is a kernel mechanism, not a check on the snippet's text:

- a world of its own (:mod:`viz.backend.namespaces`): PID, mount, network, IPC, UTS and user
  namespaces, a file tree holding only what Python and TF need, read-only, and a bounded
  tmpfs as its writable /tmp, its own uid when the server is root;
- then filters, as a second wall should the first have a hole. Landlock: files readable
  only under the Python and system library folders (and the run's
  own copy of a checkpoint it checks, and a TF2 run's own space), in /proc only
  the run's own process, writable only for its own thread names, no signals to processes
  outside the sandbox (ABI 6);
- no capabilities (root or not) and ``no_new_privs``: limits cannot be raised, set-uid
  programs do nothing;
- seccomp, through libseccomp: no new processes (fork, exec; threads stay allowed), no sockets
  at all (Landlock does not cover connecting to a Unix socket by path, such as a container
  engine's), no SysV IPC, message queues or keyrings, no ptrace, mount, namespaces or BPF,
  no new process group or session, limits of no process but itself, and no other syscall
  ABI (x32 numbers, i386);
- a scrubbed environment (the server's variables never reach the snippet).

Linux on x86_64 with Landlock ABI 6 (kernel 6.12 or newer) is required; elsewhere hosted runs
fail closed with ``Blocked``.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
import sys
import sysconfig
from typing import Any

from viz.backend import namespaces
from viz.backend.policy import LIMITS

PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24

# Landlock (include/uapi/linux/landlock.h)
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
FS_REMOVE_DIR, FS_REMOVE_FILE, FS_MAKE_DIR, FS_MAKE_REG = 1 << 4, 1 << 5, 1 << 7, 1 << 8
FS_REFER, FS_TRUNCATE = 1 << 13, 1 << 14
# What writing a checkpoint takes in a run's own space: files and folders made, renamed from
# a temporary folder into place, removed.
FS_OWN_SPACE = (FS_WRITE_FILE | FS_READ_FILE | FS_READ_DIR | FS_REMOVE_DIR | FS_REMOVE_FILE
                | FS_MAKE_DIR | FS_MAKE_REG | FS_REFER | FS_TRUNCATE)
FS_ALL_V5 = (1 << 16) - 1  # every filesystem right up to ABI 5 (IOCTL_DEV)
NET_ALL = 0b11  # BIND_TCP, CONNECT_TCP
SCOPE_ALL = 0b11  # ABSTRACT_UNIX_SOCKET, SIGNAL
MIN_LANDLOCK_ABI = 6

# The process's environment after scrubbing: nothing of the server's.
CLEAN_ENVIRONMENT = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LANG": "C.UTF-8"}

_libc = ctypes.CDLL(None, use_errno=True)


class SandboxUnavailable(RuntimeError):
    """This machine cannot build the sandbox; hosted runs are refused instead of run bare."""


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _check(result: int, what: str) -> int:
    if result < 0:
        error = ctypes.get_errno()
        raise SandboxUnavailable(f"{what} failed: {os.strerror(error)}")
    return result


def landlock_abi() -> int:
    """The kernel's Landlock ABI version, 0 when Landlock is off."""
    result = _libc.syscall(SYS_LANDLOCK_CREATE_RULESET, None, 0, LANDLOCK_CREATE_RULESET_VERSION)
    return max(result, 0)


def readable_paths() -> list[str]:
    """What a run must read: Python (stdlib, site-packages with TF), system libraries, and in
    /proc only its own process and the CPU and memory facts TF asks for: no other process."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sysconfig.get_paths()["stdlib"],
             sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo",
             "/etc/ld.so.cache", "/etc/localtime", f"/proc/{os.getpid()}", "/proc/cpuinfo",
             "/proc/meminfo", "/proc/stat", "/sys/devices/system/cpu", "/dev/urandom",
             "/dev/null"}
    return sorted(p for p in paths if os.path.exists(p))


def _landlock(extra_readable: tuple[str, ...], own_space: tuple[str, ...]) -> None:
    abi = landlock_abi()
    if abi < MIN_LANDLOCK_ABI:
        raise SandboxUnavailable(f"Landlock ABI {abi} is too old; hosted mode needs ABI "
                                 f"{MIN_LANDLOCK_ABI} (Linux 6.12+)")
    attr = _RulesetAttr(FS_ALL_V5, NET_ALL, SCOPE_ALL)
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                                   ctypes.sizeof(attr), 0), "landlock_create_ruleset")
    rules = [(path, FS_READ_FILE | FS_READ_DIR | FS_EXECUTE) for path in readable_paths()]
    rules += [(path, FS_READ_FILE | FS_READ_DIR) for path in extra_readable]
    rules += [(path, FS_OWN_SPACE) for path in own_space]
    # TF names its threads by writing /proc/self/task/<tid>/comm and aborts if it cannot.
    rules += [(f"/proc/{os.getpid()}/task", FS_WRITE_FILE | FS_READ_FILE | FS_READ_DIR),
              ("/dev/null", FS_WRITE_FILE | FS_READ_FILE)]
    try:
        for path, access in rules:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                if os.path.isfile(path) or path.startswith("/dev/"):
                    access &= FS_WRITE_FILE | FS_READ_FILE | FS_EXECUTE
                rule = _PathBeneathAttr(access, fd)
                _check(_libc.syscall(SYS_LANDLOCK_ADD_RULE, ruleset, LANDLOCK_RULE_PATH_BENEATH,
                                     ctypes.byref(rule), 0), f"landlock_add_rule({path})")
            finally:
                os.close(fd)
        _check(_libc.syscall(SYS_LANDLOCK_RESTRICT_SELF, ruleset, 0), "landlock_restrict_self")
    finally:
        os.close(ruleset)


def _drop_capabilities() -> None:
    """Empties the bounding set and the capability sets (capset): root in the child is
    powerless, and so is a non-root server's run, which holds every capability inside its new
    user namespace."""
    for capability in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) < 0 and ctypes.get_errno() != \
                errno.EINVAL:  # EINVAL: past the kernel's last capability
            _check(-1, f"dropping capability {capability} from the bounding set")
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = bytes(24)  # two __user_cap_data_struct, all zero
    header_buffer = ctypes.create_string_buffer(header)
    data_buffer = ctypes.create_string_buffer(data)
    _check(_libc.syscall(126, header_buffer, data_buffer), "capset")  # SYS_capset (x86_64)


# What a run may not do even with every other wall in place: start processes (threads stay
# allowed), open sockets (Landlock does not govern connecting to a Unix socket by path), use
# SysV IPC, POSIX message queues or keyrings (they outlive the run), debug or read other
# processes, touch the kernel's namespace, mount, module and BPF knobs, or leave its process
# group or session (where a kill by group once missed it).
DENIED_SYSCALLS = (
    "fork", "vfork", "execve", "execveat", "socket", "socketpair", "setpgid", "setsid",
    "shmget", "shmat", "shmctl", "msgget", "msgsnd", "msgrcv", "msgctl",
    "semget", "semop", "semtimedop", "semctl", "mq_open", "mq_unlink", "mq_timedsend",
    "mq_timedreceive", "mq_notify", "mq_getsetattr", "add_key", "request_key", "keyctl",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_open", "pidfd_getfd",
    "pidfd_send_signal", "mount", "umount2", "unshare", "setns", "pivot_root", "chroot",
    "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register", "init_module", "finit_module", "delete_module", "kexec_load",
    "kexec_file_load", "reboot", "personality", "open_by_handle_at", "name_to_handle_at",
)
_CLONE_THREAD = 0x00010000
_seccomp: Any = None


def prepare() -> None:
    """Loads libseccomp in the zygote, before any run exists (finding it starts ldconfig)."""
    global _seccomp
    try:
        import pyseccomp
    except (ImportError, OSError, RuntimeError, AttributeError):
        return
    _seccomp = pyseccomp


def _filter() -> None:
    """Installs the seccomp filter with libseccomp, which also checks the architecture: any
    other ABI (i386, x32 numbers on x86_64) is refused like a denied call."""
    if _seccomp is None:
        raise SandboxUnavailable("libseccomp is not available (Debian: libseccomp2)")
    seccomp = _seccomp
    denied = seccomp.ERRNO(errno.EPERM)
    rules = seccomp.SyscallFilter(seccomp.ALLOW)
    rules.set_attr(seccomp.Attr.ACT_BADARCH, denied)
    for name in DENIED_SYSCALLS:
        rules.add_rule(denied, name)
    # clone: threads only. clone3 keeps its flags in memory seccomp cannot read: ENOSYS makes
    # glibc fall back to clone, whose flags it can.
    rules.add_rule(denied, "clone", seccomp.Arg(0, seccomp.MASKED_EQ, _CLONE_THREAD, 0))
    rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
    # Limits of itself only (pid 0): another process's could be lowered until it dies.
    rules.add_rule(denied, "prlimit64", seccomp.Arg(0, seccomp.NE, 0))
    rules.load()


def enter(extra_readable: tuple[str, ...], uid: int | None) -> None:
    """Seals this process (a forked child in its own PID namespace, before the snippet runs);
    fails closed.

    ``extra_readable`` are folders this run alone may read besides Python's (the private copy
    of a checkpoint it checks); they come from the executor, never from the snippet. Its
    writable space is its own /tmp; ``uid`` is its own uid outside (None: the server's).

    Raises:
        SandboxUnavailable: a layer could not be set up; the run must not go ahead.
    """
    if sys.platform != "linux" or platform.machine() != "x86_64":
        raise SandboxUnavailable("hosted mode needs Linux on x86_64")
    os.environ.clear()
    os.environ.update(CLEAN_ENVIRONMENT)
    try:
        namespaces.enter(readable_paths() + list(extra_readable), list(extra_readable),
                         LIMITS.space_bytes, LIMITS.space_inodes, uid)
    except (namespaces.NamespaceUnavailable, OSError) as exc:
        raise SandboxUnavailable(str(exc)) from exc
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _landlock(extra_readable, (namespaces.SPACE,))
    _drop_capabilities()
    _filter()
