"""Every limit a run lives within, in one place: the run policy (as nsjail keeps a sandbox's
limits in one config). The modules that enforce a limit read it from :data:`LIMITS`; the
executor's and the pool's parameters default to it."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class RunPolicy:
    """The limits of one run, and of the runs one server holds."""

    # Time. A run past its limit is stopped (SIGALRM); one that ignores that for
    # kill_grace_s is killed outright. After demote_after_cpu_s of CPU it yields to the
    # others (nice demoted_nice).
    timeout_s: float = 10.0
    kill_grace_s: float = 1.0
    demote_after_cpu_s: float = 1.0
    demoted_nice: int = 19
    # Importing TF takes about 5 s on a quiet machine; allow for a loaded one.
    startup_timeout_s: float = 180.0

    # Memory on top of the worker's own size (TF's virtual size is ~1.7 GB); raw writes to
    # fd 1/2 (which land in in-memory files); threads and processes (a fork bomb stops here);
    # the sealed run's writable /tmp, a tmpfs of its own (past either bound a write is
    # ENOSPC in the snippet).
    memory_bytes: int = 1536 * MIB
    raw_output_file_bytes: int = 64 * MIB
    max_processes: int = 256
    space_bytes: int = 64 * MIB
    space_inodes: int = 10_000

    # What a run is given and may send back, enforced by the run (politely) and by the
    # executor (whatever the run does). A 10,000-variable model sends 16,000 events, 5 MB.
    max_snippet_bytes: int = 256 * 1024
    max_request_bytes: int = 4 * MIB
    output_limit: int = 1_000_000
    max_events: int = 50_000
    max_event_bytes: int = 16 * MIB
    max_name_chars: int = 4096
    max_error_chars: int = 10_000
    max_ops: int = 5000
    # Messages of any kind: empty output weighs nothing against the byte budgets, and each
    # message costs the server its parsing (an 8 s flood of empty ones cost 4 s of CPU).
    # Printing writes twice a line, so this is room for 75,000 lines beside 50,000 events.
    max_messages: int = 200_000

    # The server: runs at once per core, runs that may wait for a place (one more is
    # answered ServerBusy at once), runs in flight per zygote (each has a uid of its own).
    runs_per_core: int = 4
    queue_limit: int = 64
    runs_per_zygote: int = 1024

    @property
    def max_line_bytes(self) -> int:
        """One protocol line: an event, a chunk of printed text or the ops list is smaller."""
        return self.max_ops * 512 + 65_536


LIMITS = RunPolicy()
