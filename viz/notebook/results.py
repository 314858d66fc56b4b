"""``viz.show``, ``viz.check`` and ``viz.diff``: a run in ScopeViz's worker, returned as a
result that displays itself (HTML with the graph inline in a notebook, text in a terminal)
and hands over its data (``.variables`` as a pandas DataFrame, ``.to_dict()``, ``.svg``)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from viz.backend.drawing import draw
from viz.backend.execute import DrawingFailed
from viz.core import checkpoint as checkpoints
from viz.core import diff as diffs
from viz.core.checkpoint_tf2 import NoRoot, check_run, marked_run
from viz.core.export import dot_source, inline_svg
from viz.core.names import TF1, TF2
from viz.core.report import (
    ERROR,
    Run,
    body_html,
    card,
    error_text,
    head_html,
    html_table,
    report_html,
    report_text,
    verdict,
)
from viz.core.tables import rows, slot_notes, table_lines, tf2_rows
from viz.core.trace import Trace
from viz.core.view import Mark, RenderOptions, tf2_marks
from viz.notebook.worker import executor

TIMEOUT_S = 10.0


def drawing(trace: Trace, marks: tuple[Mark, ...] = ()) -> tuple[str | None, str | None]:
    """The trace drawn as inline SVG, or None and why it could not be drawn."""
    try:
        return inline_svg(draw(dot_source(trace, RenderOptions(marks=marks)), "svg")), None
    except DrawingFailed as exc:
        return None, f"The graph could not be drawn: {exc}."


@dataclass(frozen=True)
class Result:
    """One run, shown: :func:`show`'s answer and each ``%%scopeviz`` cell's."""

    run: Run
    svg: str | None
    drawing_problem: str | None = None
    # What the drawing shows: the trace (a check adds its unused keys) and its marks.
    drawn: Trace = Trace()
    marks: tuple[Mark, ...] = ()

    @property
    def trace(self) -> Trace:
        return self.run.trace

    @property
    def verdict(self) -> str:
        return verdict(self.trace)

    @property
    def variables(self) -> Any:
        """The variables table (TF1: reuses too, each slot marked) as a DataFrame."""
        import pandas as pd

        if self.trace.mode == TF2:
            return pd.DataFrame(tf2_rows(self.trace))
        notes = slot_notes(self.trace)
        return pd.DataFrame([{**row, "slot": notes.get(row["name"], "")}
                             for row in rows(self.trace)])

    def to_dict(self) -> dict[str, Any]:
        """The trace as ``scopeviz trace --format json`` prints it, with the verdict."""
        return {**self.trace.to_dict(), "verdict": self.verdict}

    def _repr_html_(self) -> str:
        return report_html(self.run, self.svg, self.drawing_problem)

    def __repr__(self) -> str:
        return report_text(self.run)

    def _ipython_display_(self) -> None:
        """In a notebook: the verdict and legend, the graph in the explorer (a static SVG
        where widgets do not run), then the tables; in a terminal, the text."""
        from IPython.display import display

        from viz.notebook.widget import GraphWidget

        head = [verdict(self.trace)] + ([error_text(self.run)] if self.trace.error else [])
        display({"text/html": card(head_html(self.run)),
                 "text/plain": "\n".join(head)}, raw=True)
        if self.svg is not None:
            display(GraphWidget(self.svg, self.drawn, self.marks, self.run.starts))
        elif self.drawing_problem:
            display({"text/plain": self.drawing_problem}, raw=True)
        display({"text/html": card(body_html(self.run)),
                 "text/plain": "\n".join(table_lines(self.trace))}, raw=True)


def run_source(source: str, mode: str = TF1, timeout: float = TIMEOUT_S,
               checkpoint: str | None = None, filename: str = "snippet.py",
               cells: list[int] | None = None) -> Trace:
    """The source run in the kernel's ScopeViz worker."""
    return executor().run(source, filename=filename, timeout=timeout, checkpoint=checkpoint,
                          mode=mode, cells=cells)


def result(trace: Trace, printed: tuple[str, str] | None = None,
           starts: list[int] | None = None, drawn: Trace | None = None,
           marks: tuple[Mark, ...] | None = None) -> Result:
    """A trace as a shown result. ``printed``: what to show as printed (by default all);
    ``starts``: the cells' first lines; ``drawn`` and ``marks``: what the graph shows (by
    default the trace, with a TF2 run's warnings marked)."""
    drawn = drawn if drawn is not None else trace
    if marks is None:
        marks = tf2_marks(trace) if trace.mode == TF2 else ()
    run = Run(trace, printed if printed is not None else (trace.stdout, trace.stderr),
              list(starts or []))
    svg, problem = drawing(drawn, marks)
    return Result(run, svg, problem, drawn, marks)


def show(source: str, mode: str = TF1, timeout: float = TIMEOUT_S) -> Result:
    """Runs ``source`` (TF1 mode: ``import tensorflow`` is compat.v1 in graph mode) in
    ScopeViz's worker and returns what it named, ready to display."""
    return result(run_source(source, mode, timeout))


@dataclass(frozen=True)
class CheckResult:
    """:func:`check`'s answer: the run lined up with a checkpoint."""

    shown: Result
    report: checkpoints.CheckReport | None
    problem: str | None  # why nothing could be checked

    @property
    def variables(self) -> Any:
        return self.shown.variables

    @property
    def svg(self) -> str | None:
        return self.shown.svg

    @property
    def checks(self) -> Any:
        """Each finding (missing, mismatched, unused, restores) with its reason."""
        import pandas as pd

        return pd.DataFrame(checkpoints.report_rows(self.report) if self.report else [])

    def summary(self) -> str:
        if self.report is None:
            return f"Not checked: {self.problem}"
        report = self.report
        return (f"{len(report.restores)} restore, {len(report.missing)} missing, "
                f"{len(report.mismatched)} mismatched, {len(report.unused)} unused keys")

    def to_dict(self) -> dict[str, Any]:
        if self.report is None:
            return {"error": self.problem, "trace": self.shown.trace.to_dict()}
        return checkpoints.to_dict(self.report, self.shown.trace)

    def _repr_html_(self) -> str:
        return card(checkpoint_html(self)) + self.shown._repr_html_()

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display({"text/html": card(checkpoint_html(self)), "text/plain": self.summary()},
                raw=True)
        self.shown._ipython_display_()

    def __repr__(self) -> str:
        return f"{self.summary()}\n{repr(self.shown)}"


def checkpoint_html(checked: CheckResult) -> str:
    """The check's summary, its rename line and its findings table (or why not checked)."""
    if checked.report is None:
        return f'<div style="{ERROR}">{html.escape(checked.summary())}</div>'
    parts = [f'<div style="font-weight:600">{html.escape(checked.summary())}</div>']
    renamed = checkpoints.rename_summary(checked.report)
    if renamed:
        parts.append(f"<div>{html.escape(renamed)}</div>")
    parts.append(html_table(checkpoints.report_rows(checked.report),
                            ["check", "variable", "reason", "line", "key"]))
    if checked.report.assignment_map:
        parts.append(f"<details><summary>assignment_map</summary><pre>"
                     f"{html.escape(repr(checked.report.assignment_map))}</pre></details>")
    return "".join(parts)


def checked(trace: Trace, printed: tuple[str, str] | None = None,
            starts: list[int] | None = None) -> CheckResult:
    """A run that read a checkpoint, lined up with it; the graph coloured by the check."""
    if trace.checkpoint_error is not None:
        return CheckResult(result(trace, printed, starts), None,
                           f"cannot read the checkpoint: {trace.checkpoint_error}")
    try:
        report = check_run(trace)
    except NoRoot as exc:
        return CheckResult(result(trace, printed, starts), None, str(exc))
    drawn, marks = marked_run(trace, report)
    return CheckResult(result(trace, printed, starts, drawn, marks), report, None)


def check(source: str, checkpoint: str, mode: str = TF1, timeout: float = TIMEOUT_S,
          ) -> CheckResult:
    """Runs ``source`` and lines its variables up with the checkpoint at ``checkpoint`` (a
    prefix, its ``.index`` file or its folder): what restores, what is missing and why, the
    assignment_map that loads the rest."""
    prefix = checkpoints.resolve_prefix(checkpoint)
    return checked(run_source(source, mode, timeout, checkpoint=prefix))


@dataclass(frozen=True)
class DiffResult:
    """:func:`diff`'s answer: two runs' variables mapped onto each other."""

    a: Result
    b: Result
    report: diffs.DiffReport

    @property
    def variables(self) -> Any:
        """A's and B's variables mapped, one row per pair (renamed ones with why)."""
        import pandas as pd

        return pd.DataFrame(diffs.diff_rows(self.report))

    @property
    def svg(self) -> dict[str, str | None]:
        """A's and B's drawings, each coloured by the mapping."""
        return {"a": self.a.svg, "b": self.b.svg}

    def to_dict(self) -> dict[str, Any]:
        return diffs.to_dict(self.report, self.a.trace, self.b.trace)

    def _repr_html_(self) -> str:
        report = self.report
        line = (f"{len(report.same)} same, {len(report.renamed)} renamed, "
                f"{len(report.changed)} changed, {len(report.only_a)} only in A, "
                f"{len(report.only_b)} only in B")
        sides = "".join(
            f'<div style="flex:1 1 360px;min-width:0"><div style="font-weight:600">{side}: '
            f'{html.escape(shown.verdict)}</div>{head_html(shown.run)}'
            f'<div style="overflow:auto;max-height:520px">{shown.svg or ""}</div>'
            f"{body_html(shown.run)}</div>"
            for side, shown in (("A", self.a), ("B", self.b)))
        return card(f'<div style="font-weight:600">{html.escape(line)}</div>'
                    + html_table(diffs.diff_rows(report), ["mapping", "A", "B", "shape",
                                                           "reason"])
                    + f'<div style="display:flex;gap:12px;flex-wrap:wrap">{sides}</div>')

    def __repr__(self) -> str:
        return diffs.to_text(self.report, self.a.trace, self.b.trace)


def diff(a: str, b: str, mode: str = TF1, mode_b: str | None = None,
         timeout: float = TIMEOUT_S) -> DiffResult:
    """Runs two snippets (B in ``mode_b`` when it differs: a TF1 model beside its TF2
    migration) and maps their variables: same, renamed (with why), changed, only in one."""
    trace_a = run_source(a, mode, timeout, filename="a.py")
    trace_b = run_source(b, mode_b or mode, timeout, filename="b.py")
    trace_a, trace_b = diffs.compared(trace_a, trace_b)
    report = diffs.diff(trace_a, trace_b)
    return DiffResult(result(trace_a, marks=diffs.marks(report, trace_a, "a")),
                      result(trace_b, marks=diffs.marks(report, trace_b, "b")), report)
