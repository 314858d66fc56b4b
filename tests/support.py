"""What tests in every folder share: the project's paths, the golden traces and how goldens
are written, free loopback ports and a redis-server to test against. (Fixtures are
conftest.py's; this is a plain module the tests import.)"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from functools import cache
from pathlib import Path

import pytest

from viz import Trace
from viz.core import session
from viz.core.gallery import Gallery, load_galleries

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
GOLDENS = Path(__file__).resolve().parent / "goldens"


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.py"))


# Goldens of whole traces the pure tests start from (made by real runs, checked by hand once).
DOT_CASES = ["seed_1_name_scope_vs_variable_scope", "seed_3_get_variable_sharing"]


def load_trace(stem: str) -> Trace:
    """A golden trace, as the real run recorded it."""
    return Trace.from_dict(json.loads((GOLDENS / f"{stem}.trace.json").read_text("utf-8")))


@cache
def gallery() -> Gallery:
    return load_galleries()


def first_visit(hosted: bool = False, **params: str) -> dict:
    """A session's state after its first page, opened by a link with ``params``."""
    state: dict = {}
    session.open_link(state, params, gallery(), hosted)
    return state


def dump(data: dict) -> str:
    """JSON with one variable or reuse per line, so golden diffs read like tables."""
    parts = []
    for key, value in data.items():
        if isinstance(value, list) and value and isinstance(value[0], list):
            rows = ",\n".join("  " + json.dumps(row) for row in value)
            parts.append(f' "{key}": [\n{rows}\n ]')
        else:
            parts.append(f' "{key}": {json.dumps(value)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def free_port(count: int = 1) -> int:
    """A free loopback port, with the ``count - 1`` ports after it free as well."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        if base + count > 65536:
            continue
        try:
            for offset in range(1, count):
                with socket.socket() as sock:
                    sock.bind(("127.0.0.1", base + offset))
            return base
        except OSError:
            continue


def start_redis(folder: Path, port: int = 0) -> tuple[subprocess.Popen, str]:
    """Debian's redis-server on a loopback port (a free one unless given), keeping nothing on
    disk, once it answers PING: the process and its URL. Skips where it is missing."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        pytest.skip("Debian's redis-server is missing (tests/setup.sh installs it)")
    port = port or free_port()
    server = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", str(folder)],
                              stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return server, f"redis://127.0.0.1:{port}/0"
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("redis-server did not start") from None
            time.sleep(0.1)
