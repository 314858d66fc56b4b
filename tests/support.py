"""What tests in every folder share: the project's paths, the golden traces and how goldens
are written. (Fixtures are conftest.py's; this is a plain module the tests import.)"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

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
