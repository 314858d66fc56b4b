"""The Trace model (viz.core.trace): plain data that survives JSON."""

from __future__ import annotations

import pytest
from support import DOT_CASES, load_trace

from viz.core.trace import Trace


@pytest.mark.parametrize("stem", DOT_CASES)
def test_trace_round_trips_through_dict(stem: str) -> None:
    trace = load_trace(stem)
    assert Trace.from_dict(trace.to_dict()) == trace
