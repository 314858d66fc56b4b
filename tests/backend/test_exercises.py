"""Every exercise's answer key from a real TF run: what it asks (line by line) and the names
TF gives, pinned in tests/goldens/exercises.json (checked by hand once)."""

from __future__ import annotations

import json

import pytest
from support import EXAMPLES, GOLDENS, dump

from viz import Executor
from viz.core.exercise import EXERCISES, check, questions, score

GOLDEN = GOLDENS / "exercises.json"


def answer_key(executor: Executor, stem: str) -> list[list]:
    source = (EXAMPLES / f"{stem}.py").read_text(encoding="utf-8")
    trace = executor.run(source, filename=f"{stem}.py", timeout=120.0)
    found = questions(trace, source)
    assert all(q.why for q in found), "every name has its why-sentence"
    # TF's own names, typed back, are all right.
    assert score(check(found, [q.answer for q in found])) == f"{len(found)} of {len(found)} right"
    return [[q.line, q.time, q.answer] for q in found]


@pytest.mark.parametrize("stem", EXERCISES)
def test_exercise_answer_key(executor: Executor, stem: str, update_goldens: bool) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    key = answer_key(executor, stem)
    if update_goldens:
        golden[stem] = key
        GOLDEN.write_text(dump(golden), encoding="utf-8")
    assert key == golden[stem]
