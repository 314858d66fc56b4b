"""Resource limits a forked child puts on itself before it runs a snippet."""

from __future__ import annotations

import os
import resource
import signal

from viz.backend.policy import LIMITS


def current_address_space() -> int:
    """This process's virtual size in bytes (TF alone is about 1.7 GB after import)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def max_fd() -> int:
    """One past the highest file descriptor number this process may hold."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 20


def apply(memory_bytes: int) -> None:
    """Limits memory (relative to the current size: an absolute 512 MB would break TF), raw
    output size, process count, core dumps and priority (a run lowered for using much CPU
    cannot raise itself back), for this process and what it starts."""
    address_space = current_address_space() + memory_bytes
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    output = LIMITS.raw_output_file_bytes
    resource.setrlimit(resource.RLIMIT_FSIZE, (output, output))
    # Past the size limit a write fails with EFBIG instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NICE, (0, 0))
    soft, hard = resource.getrlimit(resource.RLIMIT_NPROC)
    cap = LIMITS.max_processes
    cap = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
    resource.setrlimit(resource.RLIMIT_NPROC, (cap, cap))
