"""Pure tables of a trace: one row per variable and per reuse, as text or CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from viz.trace import STATUSES, Trace, shape_text

# graph: 0 for the run's graph, N for the Nth other tf.Graph the snippet built.
COLUMNS = ("name", "requested", "status", "api", "shape", "dtype", "trainable", "line", "graph")


def rows(trace: Trace) -> list[dict[str, Any]]:
    """Variables in creation order, then reuses (a reuse row has no shape, dtype or trainable)."""
    table = [{
        "name": v.name, "requested": v.requested, "status": v.status, "api": v.api,
        "shape": v.shape, "dtype": v.dtype, "trainable": v.trainable, "line": v.line,
        "graph": v.graph,
    } for v in trace.variables]
    table += [{
        "name": r.name, "requested": r.requested, "status": r.status, "api": "tf.get_variable",
        "shape": None, "dtype": None, "trainable": None, "line": r.line, "graph": r.graph,
    } for r in trace.reuses]
    return table


def status_counts(trace: Trace) -> dict[str, int]:
    """How many variables are created and uniquified, and how many get_variable calls reused."""
    counts = Counter(row["status"] for row in rows(trace))
    return {status: counts.get(status, 0) for status in STATUSES}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return shape_text(value)
    return str(value)


def aligned(table: list[tuple[str, ...]]) -> list[str]:
    """Rows of cells as lines of left-aligned columns two spaces apart (the first row is
    usually the header)."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in table]


def to_csv(trace: Trace) -> str:
    """The table as CSV with a header row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(trace):
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()


def to_text(trace: Trace) -> str:
    """A readable report: the table, the reuses with their name scopes, output and error."""
    counts = status_counts(trace)
    summary = ", ".join(f"{n} {status}" for status, n in counts.items())
    lines = [f"{trace.filename}: {len(trace.variables)} variables ({summary})"]
    table = [("line", "status", "name", "requested", "api", "shape", "dtype", "graph")]
    table += [(_cell(r["line"]), r["status"], r["name"], r["requested"], r["api"],
               _cell(r["shape"]), _cell(r["dtype"]), _cell(r["graph"])) for r in rows(trace)]
    if not any(r["graph"] for r in rows(trace)):  # one graph: the column would say nothing
        table = [row[:-1] for row in table]
    lines += aligned(table)
    for reuse in trace.reuses:
        graph = f" of graph {reuse.graph}" if reuse.graph else ""
        lines.append(f"reuse: line {_cell(reuse.line)} returned {reuse.name}{graph} "
                     f"(name scope {reuse.name_scope or '(root)'})")
    if trace.stdout:
        lines += ["", "output:", trace.stdout.rstrip("\n")]
    if trace.error:
        lines += ["", "error: " + trace.error.describe()]
    return "\n".join(lines) + "\n"
