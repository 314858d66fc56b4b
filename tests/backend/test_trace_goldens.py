"""Whole-trace goldens for the seed snippets, the inputs of the pure renderer tests."""

from __future__ import annotations

import json

import pytest
from support import DOT_CASES, EXAMPLES, GOLDENS

from viz import Executor


@pytest.mark.parametrize("stem", DOT_CASES)
def test_whole_trace_matches_golden(executor: Executor, stem: str, update_goldens: bool) -> None:
    path = EXAMPLES / f"{stem}.py"
    data = executor.run(path.read_text(encoding="utf-8"), filename=path.name).to_dict()
    data["elapsed_ms"] = 0.0
    data["stderr"] = ""
    golden = GOLDENS / f"{stem}.trace.json"
    if update_goldens:
        golden.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert data == json.loads(golden.read_text(encoding="utf-8"))
