"""Pure step-through of a run: one step per naming event, in the order TF saw them, each
with what to draw (the trace up to that event), what to point at, and why."""

from __future__ import annotations

from dataclasses import dataclass

from viz.core.explain import explain
from viz.core.names import in_graph, op_name
from viz.core.trace import (
    NameScopeEvent,
    ReuseEvent,
    ReuseVariablesEvent,
    Trace,
    VariableEvent,
    VariableScopeEvent,
)


@dataclass(frozen=True)
class Step:
    """Event ``index`` of the trace: a sentence saying what happened, the drawn box it
    happened to (a variable's id or ``cluster_`` + a scope path) and its snippet line."""

    index: int
    text: str
    focus: str
    line: int | None


def _happened(event: object, why: dict[tuple[str, int | None], str]) -> tuple[str, str]:
    """What the event did, in words, and the id of the box it concerns."""
    if isinstance(event, NameScopeEvent):
        renamed = f" (asked for {event.requested})" if event.requested != event.given else ""
        return (f"entered name scope {event.given or '(root)'}{renamed}",
                "cluster_" + in_graph(event.graph, event.given))
    if isinstance(event, VariableScopeEvent):
        reuse = f", reuse={event.reuse}" if event.reuse else ""
        by = "" if event.user else " (entered by TF code the snippet called)"
        return (f"entered variable scope {event.name or '(root)'}{reuse}{by}",
                "cluster_" + in_graph(event.graph, event.name))
    if isinstance(event, ReuseVariablesEvent):
        return (f"reuse_variables() on {event.scope or 'the root scope'}: from here on it "
                "returns existing variables", "cluster_" + in_graph(event.graph, event.scope))
    if isinstance(event, VariableEvent):
        subject = in_graph(event.graph, event.name)
        return (f"created {op_name(event.name)} ({event.status}): "
                + why.get((subject, event.line), ""), subject)
    assert isinstance(event, ReuseEvent)
    subject = in_graph(event.graph, event.name)
    return why.get((subject, event.line), f"reused {op_name(event.name)}"), subject


def steps(trace: Trace) -> list[Step]:
    """One step per event, numbered from 1 (the number share links carry as ``&step=``)."""
    why = {(e.subject, e.line): e.text for e in explain(trace)}
    found = []
    for index, event in enumerate(trace.events, start=1):
        text, focus = _happened(event, why)
        found.append(Step(index, text, focus, event.line))
    return found


def trace_at(trace: Trace, step: int) -> Trace:
    """The run as it stood after ``step`` events: what the step view draws."""
    return Trace(events=trace.events[:max(step, 0)], filename=trace.filename)
