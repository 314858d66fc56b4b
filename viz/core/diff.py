"""Two snippets' variables mapped onto each other: which names stay, which were renamed (and
why, in words, from both traces), which exist on one side only. Pure: takes two traces.

Names are written as a ``Saver`` writes them (no ``:0``), so ``assignment_map`` is what
``tf.train.init_from_checkpoint`` needs to load A's checkpoint into B's graph. TF2 runs are
compared as :func:`compared` says: by attribute path when both designate a ``ckpt_root``,
else by name.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, replace
from typing import Any

from viz.core.names import SCHEMA, TF2, UNIQUIFIED, op_name, parent_path, shape_text
from viz.core.tables import aligned
from viz.core.tf2 import TF2KeyEvent
from viz.core.trace import Trace, VariableEvent
from viz.core.tree import tf2_as_scopes
from viz.core.view import Mark

SAME, RENAMED, ONLY_A, ONLY_B, CHANGED = "same", "renamed", "only_a", "only_b", "changed"


@dataclass(frozen=True)
class Rename:
    """A's variable ``a`` is B's ``b``: same shape and dtype, matched by order and name."""

    a: str
    b: str
    shape: list[int | None] | None
    reason: str


@dataclass(frozen=True)
class Change:
    """A name both snippets make, with another shape or dtype."""

    name: str
    a_shape: list[int | None] | None
    b_shape: list[int | None] | None
    a_dtype: str
    b_dtype: str


@dataclass(frozen=True)
class DiffReport:
    same: list[str]
    renamed: list[Rename]
    only_a: list[str]
    only_b: list[str]
    changed: list[Change]
    assignment_map: dict[str, str]

    @property
    def identical(self) -> bool:
        """Both snippets make the same variable names (shapes aside: see ``changed``)."""
        return not self.renamed and not self.only_a and not self.only_b

    def status(self, side: str) -> dict[str, str]:
        """One side's ("a" or "b") variable names -> same / renamed / changed / only_a or
        only_b (what the Compare view colours them by)."""
        marks = {name: SAME for name in self.same}
        marks.update({getattr(r, side): RENAMED for r in self.renamed})
        marks.update({c.name: CHANGED for c in self.changed})
        marks.update({name: ONLY_A if side == "a" else ONLY_B
                      for name in (self.only_a if side == "a" else self.only_b)})
        return marks


def compared(a: Trace, b: Trace) -> tuple[Trace, Trace]:
    """Both runs in the shape :func:`diff` compares: a TF2 run's variables named by their
    attribute path from ``ckpt_root`` when both runs designate one (what a TF2 checkpoint
    restores by), else by their ``.name`` (what a TF1 checkpoint, or a migration from one,
    goes by)."""
    by_path = a.mode == b.mode == TF2 and a.tf2_keys is not None and b.tf2_keys is not None

    def shaped(trace: Trace) -> Trace:
        if trace.mode != TF2:
            return trace
        if not by_path:
            trace = replace(trace, events=[e for e in trace.events
                                           if not isinstance(e, TF2KeyEvent)])
        return tf2_as_scopes(trace)

    return shaped(a), shaped(b)


def _variables(trace: Trace) -> dict[str, VariableEvent]:
    """The run's own graph's variables by name without ``:0``, in creation order."""
    return {op_name(v.name): v for v in trace.variables if v.graph == 0}


def _leaf(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _where(path: str) -> str:
    scope = parent_path(path)
    return f"under `{scope}`" if scope else "at the top level"


def diff(a: Trace, b: Trace) -> DiffReport:
    """Maps A's variables onto B's.

    Names in both are ``same`` (or ``changed`` when shape or dtype differ). Of the rest,
    taken in creation order, an A variable is renamed to the B variable of the same shape
    and dtype that asked for the same name (``requested``) or ends in the same name, the
    nearest in creation order among those left; failing that, the one at the same place in
    creation order among the leftovers of that shape. What stays unmatched is only_a/only_b.
    """
    ours, theirs = _variables(a), _variables(b)
    same, changed = [], []
    for name, variable in ours.items():
        other = theirs.get(name)
        if other is None:
            continue
        if other.shape == variable.shape and other.dtype == variable.dtype:
            same.append(name)
        else:
            changed.append(Change(name, variable.shape, other.shape, variable.dtype,
                                  other.dtype))
    left_a = [v for n, v in ours.items() if n not in theirs]
    left_b = [v for n, v in theirs.items() if n not in ours]
    renamed: list[Rename] = []
    taken: set[str] = set()
    for rank, variable in enumerate(left_a):
        partner = _partner(variable, rank, left_b, taken)
        if partner is None:
            continue
        taken.add(op_name(partner.name))
        renamed.append(Rename(op_name(variable.name), op_name(partner.name), variable.shape,
                              _reason(variable, partner, rank, left_b.index(partner))))
    matched_a = {r.a for r in renamed}
    assignment = {name: name for name in same}
    assignment.update({r.a: r.b for r in renamed})
    return DiffReport(same, renamed, [op_name(v.name) for v in left_a
                                      if op_name(v.name) not in matched_a],
                      [op_name(v.name) for v in left_b if op_name(v.name) not in taken],
                      changed, assignment)


def _partner(variable: VariableEvent, rank: int, left_b: list[VariableEvent],
             taken: set[str]) -> VariableEvent | None:
    fits = [(index, v) for index, v in enumerate(left_b) if op_name(v.name) not in taken
            and v.shape == variable.shape and v.dtype == variable.dtype]
    name = op_name(variable.name)
    named = [(index, v) for index, v in fits if v.requested == variable.requested
             or _leaf(op_name(v.name)) in (_leaf(name), _leaf(variable.requested))
             or _leaf(v.requested) == _leaf(variable.requested)]
    if named:
        return min(named, key=lambda item: (abs(item[0] - rank), -difflib.SequenceMatcher(
            None, name, op_name(item[1].name), autojunk=False).ratio()))[1]
    return next((v for index, v in fits if index == rank), None)


def _reason(a: VariableEvent, b: VariableEvent, rank_a: int, rank_b: int) -> str:
    """Why A's variable is B's, and what made the names differ, in words."""
    name_a, name_b = op_name(a.name), op_name(b.name)
    same_place = rank_a == rank_b
    evidence = [f"same shape {shape_text(a.shape or [])}"]
    if a.requested == b.requested:
        evidence.append(f"both asked for `{a.requested}`")
    elif _leaf(name_a) == _leaf(name_b) or _leaf(a.requested) == _leaf(b.requested):
        evidence.append(f"both named `{_leaf(b.requested)}`")
    if same_place:
        evidence.append("the same place in creation order")
    changes = []
    if a.status == UNIQUIFIED:
        changes.append(f"in A, TF numbered it: it asked for `{a.requested}`, which was taken")
    if b.status == UNIQUIFIED:
        changes.append(f"in B, TF numbered it: it asked for `{b.requested}`, which was taken")
    if parent_path(a.requested) != parent_path(b.requested):
        changes.append(f"A asks for it {_where(a.requested)}, B {_where(b.requested)}")
    if _leaf(a.requested) != _leaf(b.requested):
        changes.append(f"A names it `{_leaf(a.requested)}`, B `{_leaf(b.requested)}`")
    lines = f"A line {a.line if a.line is not None else '?'}, " \
            f"B line {b.line if b.line is not None else '?'}"
    return (f"`{name_a}` is `{name_b}` ({lines}): " + ", ".join(evidence)
            + ("; " + "; ".join(changes) if changes else ""))


def marks(report: DiffReport, trace: Trace, side: str) -> tuple[Mark, ...]:
    """``RenderOptions.marks`` for one side ("a" or "b") of a comparison: each variable of
    that side's trace coloured by what the mapping found; a renamed one names its
    counterpart in its box and has the rename's reason as its note."""
    status = report.status(side)
    other = "b" if side == "a" else "a"
    tags = {getattr(r, side): f"renamed: {other.upper()} has {getattr(r, other)}"
            for r in report.renamed}
    notes = {getattr(r, side): r.reason for r in report.renamed}
    notes.update({c.name: f"A has {shape_text(c.a_shape or [])} {c.a_dtype}, B has "
                          f"{shape_text(c.b_shape or [])} {c.b_dtype}" for c in report.changed})
    return tuple(Mark(v.name, status[op_name(v.name)], tags.get(op_name(v.name), ""),
                      notes.get(op_name(v.name), ""))
                 for v in trace.variables if v.graph == 0 and op_name(v.name) in status)


def diff_rows(report: DiffReport) -> list[dict[str, Any]]:
    """One row per variable pair for the Compare view's table: what differs first."""
    rows: list[dict[str, Any]] = [
        {"mapping": RENAMED, "A": r.a, "B": r.b, "shape": shape_text(r.shape or []),
         "reason": r.reason} for r in report.renamed]
    rows += [{"mapping": CHANGED, "A": c.name, "B": c.name,
              "shape": f"{shape_text(c.a_shape or [])} -> {shape_text(c.b_shape or [])}",
              "reason": f"A has {c.a_dtype} {shape_text(c.a_shape or [])}, B has "
                        f"{c.b_dtype} {shape_text(c.b_shape or [])}"} for c in report.changed]
    rows += [{"mapping": "only in A", "A": n, "B": "", "shape": "", "reason": ""}
             for n in report.only_a]
    rows += [{"mapping": "only in B", "A": "", "B": n, "shape": "", "reason": ""}
             for n in report.only_b]
    rows += [{"mapping": SAME, "A": n, "B": n, "shape": "", "reason": ""} for n in report.same]
    return rows


def to_dict(report: DiffReport, a: Trace, b: Trace) -> dict[str, Any]:
    """The JSON object ``diff --format json`` prints (schema 1)."""
    return {
        "schema": SCHEMA,
        "same": report.same,
        "renamed": [{"a": r.a, "b": r.b, "shape": r.shape, "reason": r.reason}
                    for r in report.renamed],
        "only_a": report.only_a,
        "only_b": report.only_b,
        "changed": [{"name": c.name, "a_shape": c.a_shape, "b_shape": c.b_shape,
                     "a_dtype": c.a_dtype, "b_dtype": c.b_dtype} for c in report.changed],
        "assignment_map": report.assignment_map,
        "a_error": a.error.describe() if a.error else None,
        "b_error": b.error.describe() if b.error else None,
    }


def to_text(report: DiffReport, a: Trace, b: Trace) -> str:
    """A report a person reads in a terminal."""
    lines = [f"A = {a.filename} ({len(_variables(a))} variables), "
             f"B = {b.filename} ({len(_variables(b))} variables): {len(report.same)} same, "
             f"{len(report.renamed)} renamed, {len(report.changed)} changed, "
             f"{len(report.only_a)} only in A, {len(report.only_b)} only in B"]
    for side, trace in (("A", a), ("B", b)):
        if trace.error:
            lines.append(f"{side} stopped early: {trace.error.describe()}")
    if report.renamed:
        lines += ["", "RENAMED"]
        table = aligned([("A", "B", "shape")] + [
            (r.a, r.b, shape_text(r.shape or [])) for r in report.renamed])
        lines.append(table[0])
        for row, rename in zip(table[1:], report.renamed):
            lines += [row, f"    why: {rename.reason}"]
    if report.changed:
        lines += ["", "CHANGED: the same name with another shape or dtype"]
        lines += aligned([("name", "A shape", "B shape", "A dtype", "B dtype")] + [
            (c.name, shape_text(c.a_shape or []), shape_text(c.b_shape or []), c.a_dtype,
             c.b_dtype) for c in report.changed])
    for title, names in (("ONLY IN A", report.only_a), ("ONLY IN B", report.only_b)):
        if names:
            lines += ["", title] + [f"  {name}" for name in names]
    if report.same:
        lines += ["", f"SAME: {len(report.same)} variable(s)"]
        lines += [f"  {name}" for name in report.same]
    lines += ["", "assignment_map (A's checkpoint -> B's variables):",
              json.dumps(report.assignment_map, indent=2)]
    return "\n".join(lines) + "\n"
