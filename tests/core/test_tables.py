"""Counts and CSV (viz.core.tables)."""

from __future__ import annotations

from support import load_trace

from viz.core.tables import status_counts, to_csv


def test_counts_and_csv() -> None:
    trace = load_trace("seed_3_get_variable_sharing")
    assert status_counts(trace) == {"created": 4, "reused": 4, "uniquified": 0}
    assert to_csv(trace).splitlines()[5].startswith("image_filters/conv1/weights:0,"
                                                    "image_filters/conv1/weights,reused,")
