"""Pure tables of a trace: one row per variable and per reuse, as text or CSV."""

from __future__ import annotations

import csv
import io
from collections import Counter
from typing import Any

from viz.core import tf2
from viz.core.names import KERAS3, SLOT, STATUSES, TF2, TF_KERAS, op_name, shape_text
from viz.core.trace import Trace
from viz.core.tree import build_tree
from viz.core.view import slot_facts, slots_of

# graph: 0 for the run's graph, N for the Nth other tf.Graph the snippet built.
COLUMNS = ("name", "requested", "status", "api", "shape", "dtype", "trainable", "line", "graph")
TF2_COLUMNS = ("name", "path", "keras_name", "requested", "status", "shape", "dtype",
               "trainable", "created_in", "line", "warnings", "checkpoint_key", "owner")


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


def legend_counts(trace: Trace) -> dict[str, int]:
    """The legend's counts: optimizer and moving-average slots (``w/Adam``, ``w/Adam_1``)
    counted as slots, not by their status. TF did number ``Adam_1``, but by the optimizer's
    own convention, not a collision in the user's code (the Variables tab keeps the status)."""
    counts = status_counts(trace)
    slots = {slot for found in slots_of(build_tree(trace)).values() for slot in found}
    for variable in trace.variables:
        if variable.name in slots:
            counts[variable.status] -= 1
            counts[SLOT] = counts.get(SLOT, 0) + 1
    return counts


def slot_notes(trace: Trace) -> dict[str, str]:
    """Each slot's mark for the Variables tab: ``of w: Adam's second moment, v`` (its status
    stays TF's: the second slot was numbered)."""
    return {slot: f"of {op_name(owner)}" + (f": {role}" if role else "")
            for slot, (owner, role) in slot_facts(build_tree(trace)).items()}


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


def tf2_rows(trace: Trace) -> list[dict[str, Any]]:
    """TF2 mode's variables in creation order, with their warnings joined."""
    return [{column: " ".join(record[column]) if column == "warnings" else record[column]
             for column in TF2_COLUMNS} for record in tf2.variable_records(trace)]


def layer_rows(trace: Trace) -> list[dict[str, Any]]:
    """TF2 mode's Keras layers in construction order, with why a numbered one is numbered."""
    table = []
    for layer in trace.layers:
        why = ""
        if layer.uniquified:
            why = f"Keras's `{layer.base}` counter was taken by {tf2.earlier_text(trace, layer)}"
        elif not layer.auto_named:
            why = ("named explicitly, by this line or by a Keras layer it built (explicit "
                   "names are neither counted nor checked)")
        table.append({"name": layer.name, "class": layer.cls,
                      "auto_named": layer.auto_named, "uniquified": layer.uniquified,
                      "line": layer.line, "why": why})
    return table


def to_csv(trace: Trace) -> str:
    """The table as CSV with a header row (TF2 mode: its variables' columns)."""
    buffer = io.StringIO()
    table = tf2_rows(trace) if trace.mode == TF2 else rows(trace)
    columns = TF2_COLUMNS if trace.mode == TF2 else COLUMNS
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({key: _cell(value) for key, value in row.items()})
    return buffer.getvalue()


def _tf2_text(trace: Trace) -> list[str]:
    keras = {KERAS3: "Keras 3", TF_KERAS: "tf-keras"}.get(trace.keras or "", "no Keras")
    lines = [f"{trace.filename}: TF2 mode ({keras}), {len(trace.tf2_variables)} variables, "
             f"{len(trace.layers)} Keras layers"]
    table = [("line", "status", "name", "path", "shape", "dtype", "created_in", "warnings")]
    table += [(_cell(r["line"]), r["status"], r["name"], _cell(r["path"]), _cell(r["shape"]),
               r["dtype"], r["created_in"], r["warnings"]) for r in tf2_rows(trace)]
    lines += aligned(table)
    lines += [f"reuse: line {_cell(reuse.line) or '?'} got {reuse.name} back "
              f"(tf.compat.v1.get_variable, a TF1-style store)" for reuse in trace.tf2_reuses]
    if trace.layers:
        lines += ["", "layers:"]
        lines += aligned([("line", "name", "class", "why")] + [
            (_cell(r["line"]), r["name"], r["class"], r["why"]) for r in layer_rows(trace)])
    return lines


def table_lines(trace: Trace) -> list[str]:
    """The readable table: a summary line, the variables, the reuses (TF2: and the layers)."""
    return _tf2_text(trace) if trace.mode == TF2 else _tf1_text(trace)


def to_text(trace: Trace) -> str:
    """A readable report: the table, the reuses with their name scopes, output and error."""
    lines = table_lines(trace)
    if trace.stdout:
        lines += ["", "output:", trace.stdout.rstrip("\n")]
    if trace.error:
        lines += ["", "error: " + trace.error.describe()]
    return "\n".join(lines) + "\n"


def _tf1_text(trace: Trace) -> list[str]:
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
    return lines
