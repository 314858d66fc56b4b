"""The naming one event at a time (viz.core.steps)."""

from __future__ import annotations

from support import load_trace


def test_steps_replay_the_seed_one_event_at_a_time() -> None:
    from viz.core.steps import steps, trace_at

    trace = load_trace("seed_1_name_scope_vs_variable_scope")
    found = steps(trace)
    assert [s.index for s in found] == list(range(1, len(trace.events) + 1))
    third = found[2]
    assert (third.text, third.focus, third.line) == (
        "entered variable scope vsc1", "cluster_vsc1", 14)
    last = found[-1]
    assert last.focus == "nsc1_1/v4:0" and last.line == 23
    assert last.text.startswith("created nsc1_1/v4 (uniquified): v4 is nsc1_1/v4 and not "
                                "nsc1/v4 because name scope nsc1 was already used at line 12")
    assert trace_at(trace, 3).events == trace.events[:3]
    assert [v.name for v in trace_at(trace, 4).variables] == ["nsc1/v1:0", "nsc1/vsc1/v2:0"]
