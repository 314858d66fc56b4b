"""A snippet's variables lined up with a checkpoint's keys, each near miss explained from the
trace. Pure: takes a trace whose run read the checkpoint (``trace.checkpoint``), no TF.

The rules are TF's: a ``tf.train.Saver`` saves and restores the global variables under their
names without ``:0``; a shape or dtype that differs fails the restore. A TF2 object-based
checkpoint keys each variable by its object path (``model/dense/kernel/.ATTRIBUTES/
VARIABLE_VALUE``) and keeps the name the variable was saved from in its object graph, which
is what a TF1 ``Saver`` restores it by; without that name (no data file), a match is a guess.
"""

from __future__ import annotations

import difflib
import glob
import json
import os
import re
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from viz.core.names import (
    CREATED,
    SCHEMA,
    TF2,
    TF2_SUFFIX,
    lines_text,
    object_path,
    op_name,
    parent_path,
    shape_text,
    unnumbered,
)
from viz.core.tables import aligned
from viz.core.trace import (
    CheckpointKey,
    NameScopeEvent,
    Trace,
    VariableEvent,
    VariableScopeEvent,
)
from viz.core.view import Mark

RESTORES, MISSING, MISMATCHED, UNUSED = "restores", "missing", "mismatched", "unused"
_PARTITION = re.compile(r"^(.*)/part_[0-9]+$")
# What made optimizer state, from the tracer's ``via`` (the TF API the line called).
_OPTIMIZER = re.compile(r"Optimizer\.|ExponentialMovingAverage\.")


@dataclass(frozen=True)
class Missing:
    """A variable no key restores: the nearest key (or None) and why, in words."""

    name: str
    shape: list[int | None] | None
    line: int | None
    closest: CheckpointKey | None
    reason: str


@dataclass(frozen=True)
class Mismatch:
    """A variable whose key exists with another shape or dtype: the restore would fail."""

    name: str
    shape: list[int | None] | None
    dtype: str
    key_shape: list[int | None]
    key_dtype: str


@dataclass(frozen=True)
class CheckReport:
    """How a snippet's variables meet a checkpoint's keys."""

    restores: list[str]
    missing: list[Missing]
    unused: list[CheckpointKey]
    mismatched: list[Mismatch]
    assignment_map: dict[str, str]
    object_based: bool
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every variable would restore."""
        return not self.missing and not self.mismatched

    def status(self) -> dict[str, str]:
        """Variable name (without ``:0``) -> restores / missing / mismatched."""
        marks = {name: RESTORES for name in self.restores}
        marks.update({m.name: MISSING for m in self.missing})
        marks.update({m.name: MISMATCHED for m in self.mismatched})
        return marks

    def reasons(self) -> dict[str, str]:
        """Variable name -> why it is missing or mismatched, in words."""
        why = {m.name: m.reason for m in self.missing}
        why.update({m.name: f"the checkpoint's `{m.name}` is {_kind(m.key_shape, m.key_dtype)}"
                            f"; this snippet's is {_kind(m.shape, m.dtype)}"
                    for m in self.mismatched})
        return why


def resolve_prefix(path: str) -> str:
    """The checkpoint prefix a user means: the prefix itself, its ``.index`` or ``.data-*``
    file, or a folder (its ``checkpoint`` file's latest entry, else its one ``.index``).

    Raises:
        ValueError: no checkpoint there, in words fit for a one-line usage error.
    """
    if os.path.isdir(path):
        latest = _latest_in(path)
        if latest is not None:
            return latest
        indexes = sorted(glob.glob(os.path.join(glob.escape(path), "*.index")))
        if len(indexes) == 1:
            return indexes[0][:-len(".index")]
        found = "no .index file" if not indexes else f"{len(indexes)} checkpoints"
        raise ValueError(f"{path} is a folder with {found}; give a checkpoint prefix "
                         "(such as model.ckpt-1000)")
    for ending in (".index", ".data-"):
        at = path.rfind(ending)
        if at > 0 and os.path.isfile(path) and (ending == ".index" or "-of-" in path[at:]):
            path = path[:at]
            break
    if not os.path.isfile(path + ".index"):
        raise ValueError(f"no checkpoint at {path} (there is no {path}.index)")
    return path


def _latest_in(folder: str) -> str | None:
    """The prefix a folder's ``checkpoint`` state file names as the latest, if it exists."""
    try:
        with open(os.path.join(folder, "checkpoint"), encoding="utf-8") as state:
            text = state.read(1 << 16)
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r'^model_checkpoint_path:\s*"([^"]+)"', text, re.MULTILINE)
    if match is None:
        return None
    prefix = os.path.join(folder, match.group(1))
    return prefix if os.path.isfile(prefix + ".index") else None


def key_path(key: CheckpointKey) -> str:
    """The variable path a key stands for: its saved name when known, else the key without
    TF2's ``/.ATTRIBUTES/VARIABLE_VALUE``."""
    return key.saved_as or object_path(key.key)


def _norm(path: str) -> list[str]:
    """Path parts without TF's ``_N`` uniquifying suffixes: ``a/dense_1/kernel`` -> a, dense,
    kernel."""
    return unnumbered(path).split("/")


def common_tail(a: list[str], b: list[str]) -> int:
    """How many path parts, counted from the end, two paths share."""
    count = 0
    while count < min(len(a), len(b)) and a[-1 - count] == b[-1 - count]:
        count += 1
    return count


def _kind(shape: list[int | None] | None, dtype: str) -> str:
    return f"{dtype} {shape_text(shape) if shape is not None else '[?]'}"


def saved_variables(trace: Trace) -> tuple[list[VariableEvent], list[VariableEvent]]:
    """The run's variables a default ``Saver`` saves (global ones of the run's own graph),
    and the others (local or in no collection), each in creation order."""
    saved, other = [], []
    for variable in trace.variables:
        if variable.graph == 0:
            (saved if "variables" in variable.collections else other).append(variable)
    return saved, other


def check(trace: Trace) -> CheckReport:
    """Lines the trace's variables up with the checkpoint the run read.

    A variable restores when a key has its name (or, in a TF2 checkpoint, was saved from a
    variable of that name) with the same shape and dtype; with another shape or dtype it is
    mismatched. Every other variable is missing, with the closest key and the reason.
    ``assignment_map`` holds the restores and each missing variable whose closest key is
    otherwise unused and fits (same shape and dtype), each key once.
    """
    keys = list(trace.checkpoint or [])
    by_name = {k.key: k for k in keys}
    saved_names = [k.saved_as for k in keys if k.saved_as]
    by_saved = {k.saved_as: k for k in keys
                if k.saved_as and saved_names.count(k.saved_as) == 1}
    variables, other = saved_variables(trace)
    object_based = any(k.key.endswith(TF2_SUFFIX) for k in keys)
    restores: list[str] = []
    mismatched: list[Mismatch] = []
    pending: list[VariableEvent] = []
    used: set[str] = set()
    assignment: dict[str, str] = {}
    for variable in variables:
        name = op_name(variable.name)
        partition = _PARTITION.match(name)
        key = by_name.get(name) or by_saved.get(name)
        if key is None and partition and partition.group(1) in by_name:
            used.add(partition.group(1))  # a Saver writes a partitioned variable as one key
            assignment[partition.group(1)] = partition.group(1)
            restores.append(name)
        elif key is None:
            pending.append(variable)
        elif key.shape == variable.shape and key.dtype == variable.dtype:
            restores.append(name)
            used.add(key.key)
            assignment[key.key] = name
        else:
            mismatched.append(Mismatch(name, variable.shape, variable.dtype, key.shape,
                                       key.dtype))
            used.add(key.key)
    missing = []
    for variable in pending:
        closest = _closest(variable, keys, used)
        name = op_name(variable.name)
        if (closest is not None and closest.key not in used and closest.key not in assignment
                and closest.shape == variable.shape and closest.dtype == variable.dtype):
            assignment[closest.key] = name
        missing.append(Missing(name, variable.shape, variable.line, closest,
                               _reason(variable, closest, trace, keys)))
    notes = []
    if other:
        notes.append(f"{len(other)} variable(s) are in no global collection, so a default "
                     "Saver neither saves nor restores them: "
                     + ", ".join(op_name(v.name) for v in other[:5])
                     + (" ..." if len(other) > 5 else ""))
    if object_based and not any(k.saved_as for k in keys):
        notes.append("a TF2 object-based checkpoint whose object graph could not be read "
                     "(is its .data file beside the .index?): its keys are matched to "
                     "variables by path and shape, which is a guess")
    return CheckReport(restores, missing, [k for k in keys if k.key not in used], mismatched,
                       assignment, object_based, notes)


def _closest(variable: VariableEvent, keys: list[CheckpointKey],
             used: set[str]) -> CheckpointKey | None:
    """The key nearest the variable: the same name up to ``_N`` suffixes first, then the
    same shape and dtype with the longest common tail of path parts and the most similar
    text. A key of the same shape with nothing else in common counts only when it is the one
    unused key of that shape. Optimizer state with no optimizer keys at all has none."""
    name = op_name(variable.name)
    if _optimizer_state(variable) and not _optimizer_keys(variable, keys):
        return None
    parts = _norm(name)
    fits = [k for k in keys if k.shape == variable.shape and k.dtype == variable.dtype]
    unused_fits = [k for k in fits if k.key not in used]
    best, best_score = None, None
    for key in keys:
        path = key_path(key)
        other = _norm(path)
        same_name = other == parts
        fit = key in fits
        tail = common_tail(parts, other)
        ratio = difflib.SequenceMatcher(None, name, path, autojunk=False).ratio()
        if not (same_name or fit and (tail or ratio >= 0.6 or unused_fits == [key])):
            continue
        score = (same_name, fit, tail, key.key not in used, ratio)
        if best_score is None or score > best_score:
            best, best_score = key, score
    return best


def _optimizer_state(variable: VariableEvent) -> bool:
    return bool(variable.via and _OPTIMIZER.search(variable.via))


def _optimizer_keys(variable: VariableEvent, keys: list[CheckpointKey]) -> bool:
    """Whether the checkpoint holds state of the kind this variable is (``Adam`` slots,
    ``beta1_power``), by the last part of the name without its ``_N``."""
    leaf = _norm(op_name(variable.name))[-1]
    return any(_norm(key_path(k))[-1] == leaf for k in keys)


def _scope_entries(trace: Trace, path: str) -> list[NameScopeEvent | VariableScopeEvent]:
    """The scope events that opened exactly ``path`` in the run's graph."""
    found: list[NameScopeEvent | VariableScopeEvent] = []
    for event in trace.events:
        if isinstance(event, NameScopeEvent) and event.given == path and event.graph == 0:
            found.append(event)
        elif isinstance(event, VariableScopeEvent) and event.name == path and event.graph == 0:
            found.append(event)
    return found


def _reason(variable: VariableEvent, key: CheckpointKey | None, trace: Trace,
            keys: list[CheckpointKey]) -> str:
    """Why the variable finds no key of its name, in words, from what the run did."""
    name = op_name(variable.name)
    if _optimizer_state(variable) and not _optimizer_keys(variable, keys):
        kind = _norm(name)[-1]
        what = "the moving averages" if "MovingAverage" in str(variable.via) else \
            "the optimizer"
        slots, made = (f"`{kind}` slots", "them") if "/" in name else (f"`{kind}`", "it")
        return (f"{slots} not in the checkpoint: it was saved without {what} "
                f"({variable.via} at {lines_text([variable.line])} made {made})")
    if key is None:
        return (f"no key `{name}`, and no unused key of shape "
                f"{shape_text(variable.shape or [])} and {variable.dtype} comes near it")
    path = key_path(key)
    ours, theirs = name.split("/"), path.split("/")
    guess = "guess: " if key.key.endswith(TF2_SUFFIX) and key.saved_as != path else ""
    if _norm(name) == _norm(path):
        at = next(i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b)
        return guess + _suffix_reason(variable, name, path, at, trace)
    if _norm(name)[-1] == _norm(path)[-1] and not guess:
        where = parent_path(name)
        entries = _scope_entries(trace, where)
        entered = f" (entered at {lines_text([entries[0].line])})" if entries else ""
        saved_under = f"under `{parent_path(path)}`" if "/" in path else "at the top level"
        placed = f"puts it under `{where}`{entered}" if where else "puts it at the top level"
        numbered = "" if ours[-1] == theirs[-1] else (
            f"; the checkpoint's `{theirs[-1]}` was numbered by TF: where it was saved, a "
            f"`{_norm(path)[-1]}` existed before it")
        return (f"`{name}` vs `{path}`: the same name in another scope: this snippet "
                f"{placed}, the checkpoint {saved_under}{numbered}")
    if key.key.endswith(TF2_SUFFIX):
        saved = f" (saved from `{key.saved_as}`)" if key.saved_as else ""
        return (f"guess: no key was saved from a variable named `{name}`; `{key.key}`{saved}"
                f" has its shape {shape_text(key.shape)} and the nearest object path")
    return (f"no key `{name}`; the nearest by name and shape is `{path}` "
            f"({_kind(key.shape, key.dtype)})")


def _suffix_reason(variable: VariableEvent, name: str, path: str, at: int,
                   trace: Trace) -> str:
    """Names equal but for a ``_N`` at part ``at``: which scope or name took the number."""
    ours, theirs = name.split("/"), path.split("/")
    ours_prefix, theirs_prefix = "/".join(ours[:at + 1]), "/".join(theirs[:at + 1])
    base = unnumbered(ours[at])
    if ours[at] == base:
        return (f"`{name}` vs `{path}`: the checkpoint's `{theirs[at]}` has a number this "
                f"snippet's `{ours[at]}` lacks: where it was saved, `{base}` had been "
                "built or entered before (a model built twice, or another of its kind "
                "first); this snippet does it once")
    if at == len(ours) - 1:
        first = [v.line for v in trace.variables if op_name(v.name) == path]
        return (f"`_{ours[at].rsplit('_', 1)[-1]}` suffix: a variable named `{path}` "
                f"already existed ({lines_text(first)}); {lines_text([variable.line])} made "
                f"`{name}`")
    entries = _scope_entries(trace, ours_prefix)
    earlier = _scope_entries(trace, theirs_prefix)
    layer = next((e for e in entries if isinstance(e, VariableScopeEvent)
                  and e.default_name), None)
    if layer is not None:
        builds = [e.line for e in trace.events if isinstance(e, VariableScopeEvent)
                  and e.default_name == layer.default_name and not e.captured
                  and e.graph == 0 and parent_path(e.name) == parent_path(ours_prefix)]
        where = lines_text(builds) if len(set(builds)) > 1 else \
            f"each at {lines_text(builds)}: the code there ran {len(builds)} times"
        return (f"`{name}` vs `{path}`: this snippet built the layer `{base}` "
                f"{len(builds)} times ({where}); the checkpoint has `{theirs_prefix}`")
    line = lines_text([entries[0].line]) if entries else "a later line"
    first = f" (first at {lines_text([earlier[0].line])})" if earlier else ""
    return (f"`_{ours[at].rsplit('_', 1)[-1]}` suffix: the scope `{base}` was entered a "
            f"second time at {line}{first} without reuse; the checkpoint has "
            f"`{theirs_prefix}`")


def marked(trace: Trace, report: CheckReport) -> tuple[Trace, tuple[Mark, ...]]:
    """What the graph draws for a check: the trace with each unused key added as a box in
    its scope (api ``checkpoint key``), and the marks that colour every variable and key
    (``RenderOptions.marks``) with the reason as the note."""
    status, reasons = report.status(), report.reasons()
    closest = {m.name: m.closest.key for m in report.missing if m.closest is not None}
    marks = []
    for variable in trace.variables:
        name = op_name(variable.name)
        if variable.graph == 0 and name in status:
            tag = f"missing (nearest key: {closest[name]})" if name in closest else ""
            marks.append(Mark(variable.name, status[name], tag, reasons.get(name, "")))
    keys, key_marks = unused_key_boxes(report.unused, [key_path(k) for k in report.unused],
                                       {op_name(v.name) for v in trace.variables
                                        if v.graph == 0})
    return replace(trace, events=[*trace.events, *keys]), tuple(marks + key_marks)


def unused_key_boxes(unused: list[CheckpointKey], paths: list[str], taken: set[str],
                     ) -> tuple[list[VariableEvent], list[Mark]]:
    """Each unused key as a box at its path (``paths``, in order), or at the key itself
    when a variable already has that name (``taken``), with its ``unused`` mark."""
    boxes, marks = [], []
    for key, path in zip(unused, paths):
        name = path if path not in taken else key.key
        taken.add(name)
        boxes.append(VariableEvent(name, path, CREATED, "checkpoint key", None, key.shape,
                                   key.dtype, False, [], None, False, parent_path(path), None,
                                   None))
        marks.append(Mark(name, UNUSED, "", f"checkpoint key `{key.key}`: no variable of "
                                            "this snippet restores from it"))
    return boxes, marks


def renamed_scopes(report: CheckReport) -> list[tuple[str, str, int]]:
    """The checkpoint's scopes that the snippet names otherwise, with how many variables the
    assignment map loads across each: ``("encoder", "enc", 12)`` when ``encoder/.../w`` is
    mapped to ``enc/.../w`` twelve times; ``""`` is the top level. Mapped names whose last
    parts differ are not a scope's rename and are left to the table."""
    found: Counter[tuple[str, str]] = Counter()
    for missing in report.missing:
        key = missing.closest.key if missing.closest else None
        if key is None or report.assignment_map.get(key) != missing.name:
            continue
        old, new = key.split("/"), missing.name.split("/")
        if old[-1] != new[-1]:
            continue
        while len(old) > 1 and len(new) > 1 and old[-2] == new[-2]:
            old, new = old[:-1], new[:-1]
        found["/".join(old[:-1]), "/".join(new[:-1])] += 1
    return [(old, new, count) for (old, new), count in found.most_common()]


def rename_summary(report: CheckReport) -> str:
    """One line over the table: ``scope `encoder` became `enc`: 12 variables; ...``."""
    def moved(old: str, new: str) -> str:
        if not old:
            return f"top-level variables moved into `{new}`"
        return f"scope `{old}` became " + (f"`{new}`" if new else "the top level")

    parts = [f"{moved(old, new)}: {count} variable{'s' if count != 1 else ''}"
             for old, new, count in renamed_scopes(report)]
    return "; ".join(parts) + ". The assignment_map below loads them." if parts else ""


def report_rows(report: CheckReport) -> list[dict[str, Any]]:
    """One row per finding for the app's table: missing and mismatched first (what needs
    fixing), then unused keys, then what restores."""
    rows: list[dict[str, Any]] = [
        {"check": MISSING, "variable": m.name, "shape": shape_text(m.shape or []),
         "line": m.line, "key": m.closest.key if m.closest else "",
         "key shape": shape_text(m.closest.shape) if m.closest else "", "reason": m.reason}
        for m in report.missing]
    reasons = report.reasons()
    rows += [{"check": MISMATCHED, "variable": m.name, "shape": shape_text(m.shape or []),
              "line": None, "key": m.name, "key shape": shape_text(m.key_shape),
              "reason": reasons[m.name]} for m in report.mismatched]
    rows += [{"check": UNUSED, "variable": "", "shape": "", "line": None, "key": k.key,
              "key shape": shape_text(k.shape), "reason": "no variable restores from it"}
             for k in report.unused]
    by_variable = {name: key for key, name in report.assignment_map.items()}
    rows += [{"check": RESTORES, "variable": name, "shape": "", "line": None,
              "key": by_variable.get(name, name), "key shape": "", "reason": ""}
             for name in report.restores]
    return rows


def to_dict(report: CheckReport, trace: Trace) -> dict[str, Any]:
    """The JSON object ``check-checkpoint --format json`` prints (schema 1)."""
    def key(k: CheckpointKey | None) -> dict[str, Any] | None:
        return None if k is None else {"key": k.key, "shape": k.shape}

    return {
        "schema": SCHEMA,
        "restores": report.restores,
        "missing": [{"name": m.name, "shape": m.shape, "line": m.line,
                     "closest": key(m.closest), "reason": m.reason} for m in report.missing],
        "unused": [{"key": k.key, "shape": k.shape, "dtype": k.dtype} for k in report.unused],
        "mismatched": [asdict(m) for m in report.mismatched],
        "assignment_map": report.assignment_map,
        "notes": report.notes,
        "trace": trace.to_dict(),
    }


def to_text(report: CheckReport, trace: Trace, prefix: str) -> str:
    """A report a person reads in a terminal: the summary, then a table per finding."""
    kind = "TF2 object-based" if report.object_based else "TF1 name-based"
    keys = len(trace.checkpoint or [])
    lines = [f"{trace.filename} against {prefix} ({kind}, {keys} keys): "
             f"{len(report.restores)} restore, {len(report.missing)} missing, "
             f"{len(report.mismatched)} mismatched, {len(report.unused)} unused keys"]
    if trace.error:
        lines.append("the snippet stopped early, so this covers the variables made before: "
                     + trace.error.describe())
    if report.missing:
        lines += ["", "MISSING: no key restores these"]
        rows = [("line", "variable", "shape", "closest key", "key shape")]
        for m in report.missing:
            rows.append((str(m.line or ""), m.name, shape_text(m.shape or []),
                         m.closest.key if m.closest else "-",
                         shape_text(m.closest.shape) if m.closest else ""))
        table = aligned(rows)
        lines.append(table[0])
        for row, m in zip(table[1:], report.missing):
            lines += [row, f"    why: {m.reason}"]
    if report.mismatched:
        lines += ["", "MISMATCHED: the key exists with another shape or dtype"]
        lines += aligned([("variable", "shape", "dtype", "key shape", "key dtype")] + [
            (m.name, shape_text(m.shape or []), m.dtype, shape_text(m.key_shape), m.key_dtype)
            for m in report.mismatched])
    if report.unused:
        lines += ["", "UNUSED KEYS: no variable restores from these"]
        lines += aligned([("key", "shape", "dtype")] + [
            (k.key, shape_text(k.shape), k.dtype) for k in report.unused])
    by = "attribute path" if trace.mode == TF2 and report.object_based else "name"
    if report.restores:
        lines += ["", f"RESTORE: {len(report.restores)} variable(s) by {by}"]
        lines += [f"  {name}" for name in report.restores]
    lines += [f"note: {note}" for note in report.notes]
    lines += ["", "assignment_map (checkpoint key -> variable):" if trace.mode == TF2 else
              "assignment_map for tf.train.init_from_checkpoint:",
              json.dumps(report.assignment_map, indent=2)]
    return "\n".join(lines) + "\n"
