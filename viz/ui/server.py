"""What one server holds for every session: its settings, the warm worker pool, the examples,
and the road from a page to a run (with TensorFlow's start-up shown while it imports)."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass

import streamlit as st

from viz.backend.pool import WorkerPool
from viz.backend.redis_rooms import RedisStore
from viz.core.gallery import Gallery, load_galleries
from viz.core.room import MemoryStore, RoomStore
from viz.core.trace import Trace
from viz.core.upload import write_checkpoint

STARTUP_ESTIMATE_S = 6.0


@dataclass(frozen=True)
class Settings:
    """The server's choices, from its environment: sealed runs (``SCOPEVIZ_HOSTED=1``), the
    time limit per run and the longer one a visitor may choose, the access code of a
    workshop server (``SCOPEVIZ_ACCESS_CODE``), and which replica this is behind a load
    balancer (``SCOPEVIZ_REPLICA``, set by deploy/cluster.sh)."""

    hosted: bool
    timeout: float
    max_timeout: float
    access_code: str | None = None  # asked once per session before anything runs
    replica: str | None = None  # named in the page's footer


def settings() -> Settings:
    """Read on every rerun, as the script once read them (tests set them per app)."""
    timeout = float(os.environ.get("SCOPEVIZ_TIMEOUT", "10"))
    return Settings(hosted=os.environ.get("SCOPEVIZ_HOSTED") == "1", timeout=timeout,
                    max_timeout=max(timeout, float(os.environ.get("SCOPEVIZ_MAX_TIMEOUT", "0"))),
                    access_code=os.environ.get("SCOPEVIZ_ACCESS_CODE") or None,
                    replica=os.environ.get("SCOPEVIZ_REPLICA") or None)


@st.cache_resource
def worker_pool(hosted: bool) -> WorkerPool:
    """The server's warm TF zygote and its runs (SCOPEVIZ_WORKERS runs at once, default four
    per core), started on the first page load and shared by every browser session."""
    size = int(os.environ.get("SCOPEVIZ_WORKERS", "0")) or None
    pool = WorkerPool(size=size, hosted=hosted)
    pool.start()
    return pool


@st.cache_resource
def room_store() -> RoomStore:
    """The server's live rooms: in Redis when ``SCOPEVIZ_REDIS_URL`` is set (replicas then
    share them), else in this process (one machine)."""
    url = os.environ.get("SCOPEVIZ_REDIS_URL")
    return RedisStore(url) if url else MemoryStore()


@st.cache_resource
def gallery() -> Gallery:
    """The examples of each mode, read once per server (they are part of the app)."""
    return load_galleries()


def wait_for_tensorflow(pool: WorkerPool) -> None:
    """On a fresh server the first run waits for TF to import: show that, with progress."""
    if pool.ready:
        return
    started = time.monotonic()
    bar = st.progress(0.0, text="Starting TensorFlow, about 5 s (once per server)...")
    while not pool.ready and time.monotonic() - started < 180:
        elapsed = time.monotonic() - started
        bar.progress(min(elapsed / STARTUP_ESTIMATE_S, 0.95),
                     text=f"Starting TensorFlow, about 5 s (once per server)... {elapsed:.0f} s")
        time.sleep(0.25)
    bar.empty()


def run(pool: WorkerPool, source: str, filename: str, mode: str, timeout: float,
        checkpoint: dict[str, bytes] | None = None) -> Trace:
    """One run in the pool, reading ``checkpoint`` (checked uploaded files) if given: they
    are written into a folder made for this run and deleted with it. No Streamlit call in
    here (see :mod:`viz.core.pending`)."""
    if checkpoint is None:
        return pool.run(source, filename=filename, timeout=timeout, mode=mode)
    with tempfile.TemporaryDirectory(prefix="scopeviz-upload-") as folder:
        return pool.run(source, filename=filename, timeout=timeout, mode=mode,
                        checkpoint=write_checkpoint(checkpoint, folder))
