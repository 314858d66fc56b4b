"""A run as an inline report, for notebooks and scripts: a one-line verdict, the legend, the
variables, the why-sentences, what the code printed and its error, as HTML (every text a
snippet controls escaped; dark text on a light card in any theme) and as plain text.

Where the run was notebook cells (:mod:`viz.core.cells`), lines read ``cell 2, line 5``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace

from viz.core.cells import locate
from viz.core.details import Details
from viz.core.explain import explain, explain_tf2
from viz.core.names import CREATED, REUSED, TF2, UNIQUIFIED
from viz.core.render import legend_html
from viz.core.tables import (
    layer_rows,
    legend_counts,
    rows,
    slot_notes,
    status_counts,
    table_lines,
    tf2_rows,
)
from viz.core.trace import Trace

NAMED_AT_MOST = 2  # uniquified names the verdict quotes before "..."
CARD = ("background:#ffffff;color:#1f1f1f;border:1px solid #c8c8c8;border-radius:6px;"
        "padding:8px 12px;font-family:system-ui,sans-serif;font-size:13px;line-height:1.45")
ERROR = "background:#fdecea;color:#5f1a12;border-radius:4px;padding:6px 10px;margin:6px 0"
# Each cell sets its own background: a notebook's dark theme paints table rows dark.
CELL = ("border:1px solid #d0d0d0;padding:2px 6px;text-align:left;color:#1f1f1f;"
        "background:#ffffff")
PRE = ("background:#f4f4f4;color:#1f1f1f;padding:6px 10px;border-radius:4px;margin:4px 0;"
       "white-space:pre-wrap")
_LINE = re.compile(r"\bline (\d+)\b")


@dataclass(frozen=True)
class Run:
    """A run to report: its trace, what this cell printed (stdout, stderr), and the first
    line of each cell when the run was notebook cells."""

    trace: Trace
    printed: tuple[str, str]
    starts: list[int] = field(default_factory=list)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def verdict(trace: Trace) -> str:
    """``16 variables: 11 created, 5 uniquified (nsc1_1/v4:0, conv1_weights_1:0, ...),
    4 reuses`` (TF2 mode: the variables and Keras layers, and the numbered layers)."""
    if trace.mode == TF2:
        numbered = [layer.name for layer in trace.layers if layer.uniquified]
        return (f"{_plural(len(trace.tf2_variables), 'variable')}, "
                f"{_plural(len(trace.layers), 'Keras layer')}, {len(numbered)} numbered by "
                f"Keras" + _named(numbered))
    counts = status_counts(trace)
    uniquified = [v.name for v in trace.variables if v.status == UNIQUIFIED]
    return (f"{_plural(counts[CREATED] + counts[UNIQUIFIED], 'variable')}: "
            f"{counts[CREATED]} created, {counts[UNIQUIFIED]} uniquified{_named(uniquified)}, "
            f"{_plural(counts[REUSED], 'reuse')}")


def _named(names: list[str]) -> str:
    if not names:
        return ""
    more = ", ..." if len(names) > NAMED_AT_MOST else ""
    return f" ({', '.join(names[:NAMED_AT_MOST])}{more})"


def where(line: int | None, starts: list[int]) -> str:
    """A line as the user counts it: ``line 5``, or ``cell 2, line 5`` in a run of cells."""
    if line is None:
        return ""
    if len(starts) < 2:
        return f"line {line}"
    cell, own = locate(line, starts)
    return f"cell {cell + 1}, line {own}"


def _relined(text: str, starts: list[int]) -> str:
    """A sentence's ``line N`` (of the joined cells) as ``cell k, line m``."""
    return _LINE.sub(lambda m: where(int(m.group(1)), starts), text) if len(starts) > 1 \
        else text


def cell_details(details: Details | None, starts: list[int]) -> Details | None:
    """A box's card with its lines as the cells count them (``cell 3, line 4``)."""
    if details is None or len(starts) < 2:
        return details
    numbers = re.compile(r"\d+")
    rows = [(label, numbers.sub(lambda m: where(int(m.group()), starts), value)
             if "line" in label else value) for label, value in details.rows]
    return replace(details, rows=rows, why=[_relined(text, starts) for text in details.why])


def error_text(run: Run) -> str | None:
    """``ValueError at cell 2, line 3: ...`` or None."""
    error = run.trace.error
    if error is None:
        return None
    place = where(error.line, run.starts)
    return f"{error.type}{' at ' + place if place else ''}: {error.message}"


def card(inner: str) -> str:
    """HTML in the report's light card (dark text in any theme)."""
    return f'<div class="scopeviz-report" style="{CARD}">{inner}</div>'


def html_table(records: list[dict], columns: list[str], starts: list[int] | None = None,
               ) -> str:
    """Records as an HTML table of ``columns`` (every value escaped; lines as the cells
    starting at ``starts`` count them)."""
    starts = starts or []
    head = "".join(f'<th style="{CELL}">{html.escape(c)}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="{CELL}">{html.escape(_value(c, r.get(c), starts))}</td>'
                         for c in columns) + "</tr>" for r in records)
    return (f'<table style="border-collapse:collapse;margin:4px 0">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def _value(column: str, value: object, starts: list[int]) -> str:
    if value is None:
        return ""
    if column == "line" and isinstance(value, int):
        return where(value, starts).removeprefix("line ")
    return str(value)


def head_html(run: Run) -> str:
    """The verdict, the error (with its line in the cell) and the legend."""
    trace = run.trace
    parts = [f'<div style="font-weight:600">{html.escape(verdict(trace))}</div>']
    error = error_text(run)
    if error is not None:
        parts.append(f'<div style="{ERROR}">{html.escape(error)}</div>')
    if trace.mode == TF2:
        parts.append(legend_html({}, paths="name prefix"))
    else:
        parts.append(legend_html(legend_counts(trace)))
    return "".join(parts)


def body_html(run: Run) -> str:
    """The variables, the why-sentences and what the cell printed."""
    trace, starts = run.trace, run.starts
    if trace.mode == TF2:
        tables = html_table(tf2_rows(trace), ["name", "line", "warnings"], starts)
        if trace.layers:
            tables += html_table(layer_rows(trace), ["name", "class", "line", "why"], starts)
        sentences = explain_tf2(trace)
    else:
        records = rows(trace)
        notes = slot_notes(trace)
        for record in records:
            record["slot"] = notes.get(record["name"], "")
        tables = html_table(records, ["name", "status", "shape", "line", "slot", "requested",
                                  "api"], starts)
        sentences = explain(trace)
    why = "".join(f"<li>{html.escape(_relined(_lead(s.line, s.text, starts), starts))}</li>"
                  for s in sentences)
    parts = [f"<details open><summary>Variables</summary>{tables}</details>"]
    if why:
        parts.append(f"<details><summary>Why these names</summary><ul>{why}</ul></details>")
    stdout, stderr = run.printed
    if stdout or stderr:
        shown = "".join(f'<pre style="{PRE}">{html.escape(text)}</pre>'
                        for text in (stdout, stderr) if text)
        parts.append(f"<details open><summary>Printed</summary>{shown}</details>")
    return "".join(parts)


def _lead(line: int | None, text: str, starts: list[int]) -> str:
    if line is None or text.startswith("line "):
        return text
    return f"line {line}: {text}"


def report_html(run: Run, svg: str | None, drawing_problem: str | None = None) -> str:
    """The whole report in one light card: head, the drawing (or why it is missing), body."""
    graph = (f'<div style="overflow:auto;max-height:640px;margin:6px 0">{svg}</div>'
             if svg else f"<div>{html.escape(drawing_problem or '')}</div>")
    return card(f"{head_html(run)}{graph}{body_html(run)}")


def report_text(run: Run) -> str:
    """The report for terminals: the verdict, the error, the table, what the cell printed."""
    lines = [verdict(run.trace)]
    error = error_text(run)
    if error is not None:
        lines.append(error)
    lines += table_lines(run.trace)
    if len(run.starts) > 1:
        lines.append("(lines count the cells run together: they start at lines "
                     f"{', '.join(map(str, run.starts))})")
    stdout, stderr = run.printed
    if stdout or stderr:
        lines += ["printed:", (stdout + stderr).rstrip("\n")]
    return "\n".join(lines) + "\n"
