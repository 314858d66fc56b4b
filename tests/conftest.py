"""Shared fixtures (one warm Executor for the whole session), the --update-goldens flag, and
the marks that say what a test needs: ``tf`` (the worker runs TensorFlow), ``browser`` (a real
Chromium), ``dot`` (graphviz's program), declared in pyproject.toml. They are put on a test by
the fixtures it uses, the module or the folder it sits in, so ``pytest -m "not tf and not
browser"`` is the inner loop that needs neither."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project, for `viz`

from viz import Executor  # noqa: E402


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite golden files from real runs instead of comparing")


@pytest.fixture(scope="session")
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture(scope="session")
def executor() -> Iterator[Executor]:
    with Executor() as ex:
        ex.warm_up()
        yield ex


@pytest.fixture(scope="session")
def checkpoints(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Prefixes of the checkpoints of :data:`checkpoints.JOBS`, written by real TF."""
    from checkpoints import JOBS, write_checkpoints

    return write_checkpoints(tmp_path_factory.mktemp("checkpoints"), JOBS)


@pytest.fixture(scope="module")
def hosted() -> Iterator[Executor]:
    """A hosted executor (its runs sealed), one per test module, with a secret in the
    server's environment that no run may see; skips where this kernel cannot seal."""
    os.environ["SCOPEVIZ_TEST_SECRET"] = "server-password"
    try:
        with Executor(hosted=True) as executor:
            executor.warm_up()
            probe = executor.run("print('sealed')\n")
            if probe.error is not None and probe.error.message.startswith(
                    "hosted mode cannot run snippets on this machine"):
                pytest.skip(probe.error.message)  # a kernel or library feature is missing
            assert probe.ok and probe.stdout == "sealed\n", probe.error
            yield executor
    finally:
        del os.environ["SCOPEVIZ_TEST_SECRET"]


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One redis-server for the test session: its URL."""
    from support import start_redis

    server, url = start_redis(tmp_path_factory.mktemp("redis"))
    yield url
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture
def broken_graphviz(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """graphviz failing (out of memory) for this test, with nothing drawn or refused before
    it and nothing it refused kept for later tests; returns the formats it was asked for."""
    from viz.backend import drawing
    from viz.backend.execute import DrawingFailed
    from viz.core.cache import BoundedCache

    calls: list[str] = []

    def broken(source: str, fmt: str, timeout: float = 60.0) -> bytes:
        calls.append(fmt)
        raise DrawingFailed("graphviz failed: Error: out of memory")

    monkeypatch.setattr(drawing, "run_dot", broken)
    monkeypatch.setattr(drawing, "_DRAWINGS", BoundedCache(1 << 20))
    monkeypatch.setattr(drawing, "_FAILURES", BoundedCache(1 << 20))
    return calls


# What a test needs, from the fixtures it uses...
NEEDS_BY_FIXTURE = {
    "executor": "tf", "pool": "tf", "hosted": "tf", "checkpoints": "tf",
    "app_server": "tf", "browser": "browser", "installed": "tf", "redis_server": "redis",
}
# ...or from where it sits: these modules run the worker through the CLI or the app script
# (and the app draws every graph with dot).
NEEDS_BY_MODULE = {
    "test_app": {"tf", "dot"}, "test_cli": {"tf"}, "test_diff": {"tf"},
    "test_checkpoint": {"tf"}, "test_checkpoint_tf2": {"tf"}, "test_tf2": {"tf"},
    "test_magic": {"tf", "dot"}, "test_seed_notebook": {"tf", "dot"},
    "test_cluster": {"cluster", "redis"},
}
# ...or from the folder it sits in: every browser test drives the app (which draws with dot).
NEEDS_BY_FOLDER = {"e2e": {"tf", "browser", "dot"}}


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    no_dot = shutil.which("dot") is None
    for item in items:
        needs = set(NEEDS_BY_MODULE.get(item.module.__name__ if item.module else "", ()))
        needs.update(NEEDS_BY_FOLDER.get(item.path.parent.name, ()))
        needs.update(NEEDS_BY_FIXTURE[name] for name in getattr(item, "fixturenames", ())
                     if name in NEEDS_BY_FIXTURE)
        if "browser" in needs:
            needs.add("tf")
        for name in sorted(needs):
            item.add_marker(name)
        if no_dot and item.get_closest_marker("dot"):
            item.add_marker(pytest.mark.skip(reason="graphviz's dot program is missing"))
