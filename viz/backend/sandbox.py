"""Hosted mode: the kernel walls a forked child puts around itself before running a stranger's
snippet. Each layer is a kernel mechanism, not a check on the snippet's text:

- a new network namespace (no interface but a down loopback: nothing to connect to);
- Landlock: files readable only under the Python and system library folders, writable only
  for the child's own thread names, no signals to processes outside the sandbox (ABI 6);
- no capabilities and ``no_new_privs``: limits cannot be raised, set-uid programs do nothing;
- seccomp: no new processes (fork, exec; threads stay allowed), no sockets at all (Landlock
  does not cover connecting to a Unix socket by path, such as a container engine's), no
  ptrace, mount, namespaces or BPF;
- a scrubbed environment (the server's variables never reach the snippet).

Linux on x86_64 with Landlock ABI 6 (kernel 6.12 or newer) is required; elsewhere hosted runs
fail closed with ``Blocked``.
"""

from __future__ import annotations

import ctypes
import os
import platform
import struct
import sys
import sysconfig

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2

# Landlock (include/uapi/linux/landlock.h)
SYS_LANDLOCK_CREATE_RULESET, SYS_LANDLOCK_ADD_RULE, SYS_LANDLOCK_RESTRICT_SELF = 444, 445, 446
LANDLOCK_CREATE_RULESET_VERSION = 1
LANDLOCK_RULE_PATH_BENEATH = 1
FS_EXECUTE, FS_WRITE_FILE, FS_READ_FILE, FS_READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
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
    """Folders a run must read: Python (stdlib, site-packages with TF) and system libraries."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sysconfig.get_paths()["stdlib"],
             sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
             "/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/share/zoneinfo",
             "/etc/ld.so.cache", "/etc/localtime", "/proc", "/sys/devices/system/cpu",
             "/dev/urandom"}
    return sorted(p for p in paths if os.path.exists(p))


def _landlock() -> None:
    abi = landlock_abi()
    if abi < MIN_LANDLOCK_ABI:
        raise SandboxUnavailable(f"Landlock ABI {abi} is too old; hosted mode needs ABI "
                                 f"{MIN_LANDLOCK_ABI} (Linux 6.12+)")
    attr = _RulesetAttr(FS_ALL_V5, NET_ALL, SCOPE_ALL)
    ruleset = _check(_libc.syscall(SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                                   ctypes.sizeof(attr), 0), "landlock_create_ruleset")
    rules = [(path, FS_READ_FILE | FS_READ_DIR | FS_EXECUTE) for path in readable_paths()]
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


def _unshare_network() -> None:
    flags = CLONE_NEWNET if os.geteuid() == 0 else CLONE_NEWUSER | CLONE_NEWNET
    _check(_libc.unshare(flags), "unshare(network namespace)")


def _drop_capabilities() -> None:
    """Empties the capability sets (capset), so root in the child is powerless."""
    header = struct.pack("Ii", 0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
    data = bytes(24)  # two __user_cap_data_struct, all zero
    header_buffer = ctypes.create_string_buffer(header)
    data_buffer = ctypes.create_string_buffer(data)
    _check(_libc.syscall(126, header_buffer, data_buffer), "capset")  # SYS_capset (x86_64)


def _bpf(code: int, k: int = 0, jt: int = 0, jf: int = 0) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


# seccomp filter pieces (x86_64 syscall numbers)
_AUDIT_ARCH_X86_64 = 0xC000003E
_RET_ALLOW, _RET_ERRNO, _RET_KILL = 0x7FFF0000, 0x00050000, 0x80000000
_LD_W_ABS, _JEQ_K, _JSET_K, _RET_K = 0x20, 0x15, 0x45, 0x06
_EPERM, _ENOSYS = 1, 38
_CLONE_THREAD = 0x00010000
_DENIED = {
    57: "fork", 58: "vfork", 59: "execve", 322: "execveat", 101: "ptrace",
    310: "process_vm_readv", 311: "process_vm_writev", 165: "mount", 166: "umount2",
    272: "unshare", 308: "setns", 321: "bpf", 298: "perf_event_open", 250: "keyctl",
    155: "pivot_root", 161: "chroot", 169: "reboot", 246: "kexec_load", 175: "init_module",
    313: "finit_module", 135: "personality", 304: "open_by_handle_at", 434: "pidfd_open",
    438: "pidfd_getfd", 425: "io_uring_setup", 41: "socket", 53: "socketpair",
}
_CLONE, _CLONE3 = 56, 435


def _seccomp_program() -> bytes:
    """No new processes, no sockets, none of the kernel's dangerous knobs."""
    deny = _bpf(_RET_K, _RET_ERRNO | _EPERM)
    program = [_bpf(_LD_W_ABS, 4), _bpf(_JEQ_K, _AUDIT_ARCH_X86_64, 1, 0), _bpf(_RET_K, _RET_KILL),
               _bpf(_LD_W_ABS, 0)]
    for number in sorted(_DENIED):
        program += [_bpf(_JEQ_K, number, 0, 1), deny]
    # clone3 hides its flags in memory seccomp cannot read: ENOSYS makes glibc use clone.
    program += [_bpf(_JEQ_K, _CLONE3, 0, 1), _bpf(_RET_K, _RET_ERRNO | _ENOSYS)]
    # clone: threads only (CLONE_THREAD set); args[0] low word is at offset 16.
    program += [_bpf(_JEQ_K, _CLONE, 0, 4), _bpf(_LD_W_ABS, 16), _bpf(_JSET_K, _CLONE_THREAD, 1, 0),
                deny, _bpf(_RET_K, _RET_ALLOW)]
    program.append(_bpf(_RET_K, _RET_ALLOW))
    return b"".join(program)


def _seccomp() -> None:
    program = _seccomp_program()
    filters = ctypes.create_string_buffer(program)
    fprog = struct.pack("HxxxxxxP", len(program) // 8, ctypes.addressof(filters))
    fprog_buffer = ctypes.create_string_buffer(fprog)
    _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog_buffer, 0, 0), "seccomp")


def enter() -> None:
    """Seals this process (a forked child, before the snippet runs); fails closed.

    Raises:
        SandboxUnavailable: a layer could not be set up; the run must not go ahead.
    """
    if sys.platform != "linux" or platform.machine() != "x86_64":
        raise SandboxUnavailable("hosted mode needs Linux on x86_64")
    os.environ.clear()
    os.environ.update(CLEAN_ENVIRONMENT)
    _unshare_network()
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    _landlock()
    if os.geteuid() == 0:
        _drop_capabilities()
    _seccomp()
