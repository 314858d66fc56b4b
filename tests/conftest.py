"""Shared fixtures: one warm Executor for the whole session, and the --update-goldens flag."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from viz import Executor  # noqa: E402

EXAMPLES = ROOT / "examples"
GOLDENS = Path(__file__).resolve().parent / "goldens"


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


def example_paths() -> list[Path]:
    return sorted(EXAMPLES.glob("*.py"))


def pytest_configure(config: pytest.Config) -> None:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    config.addinivalue_line("markers", "needs_dot: needs graphviz's dot program")
    config.addinivalue_line("markers", "e2e: drives a real browser against a running app")
