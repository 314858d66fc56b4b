"""A TF2 snippet's variables lined up with a checkpoint the way TF2 restores one. Pure: takes
a TF2-mode trace whose run read the checkpoint (``trace.checkpoint``), no TF.

``tf.train.Checkpoint(root=ckpt_root).restore(prefix)`` walks the checkpoint's object graph
and the snippet's objects from ``ckpt_root`` side by side: a variable restores when the key
of its attribute path (``encoder/_kernel/.ATTRIBUTES/VARIABLE_VALUE``) is there with its
shape and dtype; one no path from the root reaches is never restored. A TF1 name-based
checkpoint is restored by each variable's name without ``:0``, as TF2 does with one.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace

from viz.core import tf2
from viz.core.checkpoint import (
    CheckReport,
    Mismatch,
    Missing,
    check,
    common_tail,
    marked,
    unused_key_boxes,
)
from viz.core.names import TF2, TF2_SUFFIX, object_path, op_name, shape_text
from viz.core.trace import CheckpointKey, Trace
from viz.core.tree import tf2_as_scopes
from viz.core.view import Mark

SAVE_COUNTER = "save_counter" + TF2_SUFFIX


class NoRoot(ValueError):
    """An object-based checkpoint, but the snippet named no ``ckpt_root`` to restore into."""


@dataclass(frozen=True)
class _Entry:
    """One of the snippet's variables as a restore sees it: the name the report uses (its
    attribute path, or its ``.name`` when nothing reaches it), the key it restores from
    (None: untracked), and its box in the drawing."""

    name: str
    key: str | None
    box: str
    shape: list[int | None] | None
    dtype: str
    line: int | None


def _entries(trace: Trace, object_based: bool) -> list[_Entry]:
    holders = tf2.key_holders(trace)
    entries = []
    for index, (variable, box) in enumerate(zip(trace.tf2_variables, tf2.box_names(trace))):
        if object_based:
            key = holders[index].key if index in holders else None
            if key is None and variable.name == "save_counter:0":
                key = SAVE_COUNTER  # the snippet's own tf.train.Checkpoint's counter
            name = object_path(key) if key else variable.path or op_name(variable.name)
        else:
            key = name = op_name(variable.name)
        entries.append(_Entry(name, key, box, variable.shape, variable.dtype, variable.line))
    return entries


def _wrapper(entries: list[_Entry], keys: list[CheckpointKey]) -> str:
    """``model/`` when the checkpoint was saved as ``tf.train.Checkpoint(model=...)`` and
    the snippet's keys are those under it (none match as they are; stripped, some do)."""
    ours = {e.key for e in entries if e.key}
    theirs = [k.key for k in keys if k.key != SAVE_COUNTER]
    if not ours or ours & set(theirs) or not theirs:
        return ""
    first = {key.split("/", 1)[0] for key in theirs if "/" in key}
    for prefix in sorted(first):
        if any(key.startswith(prefix + "/") and key[len(prefix) + 1:] in ours for key in theirs):
            return prefix + "/"
    return ""


def check_tf2(trace: Trace) -> CheckReport:
    """Lines a TF2 run's variables up with the checkpoint the run read.

    Raises:
        NoRoot: the checkpoint is object-based and the snippet left no ``ckpt_root`` (or it
            could not be saved): its variables have no attribute paths to match.
    """
    keys = list(trace.checkpoint or [])
    object_based = any(k.key.endswith(TF2_SUFFIX) for k in keys)
    if object_based and trace.tf2_keys is None:
        raise NoRoot(trace.root_error or "a TF2 checkpoint is restored through an object: "
                     "leave the one you would pass to tf.train.Checkpoint in a variable "
                     "named ckpt_root")
    entries = _entries(trace, object_based)
    wrapper = _wrapper(entries, keys) if object_based else ""
    by_key = {k.key[len(wrapper):]: k for k in keys if k.key.startswith(wrapper)}
    by_key.update({k.key: k for k in keys if k.key == SAVE_COUNTER})
    restores: list[str] = []
    mismatched: list[Mismatch] = []
    missing_entries: list[_Entry] = []
    used = {SAVE_COUNTER} if object_based else set()
    assignment: dict[str, str] = {}
    for entry in entries:
        key = by_key.get(entry.key) if entry.key else None
        if key is None:
            missing_entries.append(entry)
        elif key.shape == entry.shape and key.dtype == entry.dtype:
            restores.append(entry.name)
            used.add(key.key)
            assignment[key.key] = entry.name
        else:
            mismatched.append(Mismatch(entry.name, entry.shape, entry.dtype, key.shape,
                                       key.dtype))
            used.add(key.key)
    missing = []
    for entry in missing_entries:
        closest = _closest(entry, keys, used, wrapper) if entry.key else None
        if (closest is not None and closest.key not in assignment
                and closest.shape == entry.shape and closest.dtype == entry.dtype):
            assignment[closest.key] = entry.name
        missing.append(Missing(entry.name, entry.shape, entry.line, closest,
                               _reason(entry, closest, wrapper)))
    notes = []
    if wrapper:
        name = wrapper[:-1]
        notes.append(f"the checkpoint's keys sit under `{wrapper}`: it was saved as "
                     f"tf.train.Checkpoint({name}=...); restore it with "
                     f"tf.train.Checkpoint({name}=ckpt_root) (matched that way here)")
    if not object_based:
        notes.append("a TF1 name-based checkpoint: TF2 restores it by each variable's name "
                     "(without :0)")
    if assignment:
        notes.append("assignment_map: checkpoint key -> this snippet's variable; a key "
                     "whose path differs loads with variable.assign(tf.train.load_variable("
                     "prefix, key))")
    return CheckReport(restores, missing, [k for k in keys if k.key not in used], mismatched,
                       assignment, object_based, notes)


def _closest(entry: _Entry, keys: list[CheckpointKey], used: set[str],
             wrapper: str) -> CheckpointKey | None:
    """The unused key nearest the variable: same shape and dtype first, then the longest
    common tail of path parts (``_kernel``), then the most similar path."""
    ours = object_path(entry.key or "").split("/")
    best, best_score = None, None
    for key in keys:
        if key.key in used or not key.key.startswith(wrapper):
            continue
        theirs = object_path(key.key[len(wrapper):]).split("/")
        fit = key.shape == entry.shape and key.dtype == entry.dtype
        tail = common_tail(ours, theirs)
        ratio = difflib.SequenceMatcher(None, "/".join(ours), "/".join(theirs),
                                        autojunk=False).ratio()
        if not (fit and (tail or ratio >= 0.6)):
            continue
        score = (tail, ratio)
        if best_score is None or score > best_score:
            best, best_score = key, score
    return best


def _reason(entry: _Entry, key: CheckpointKey | None, wrapper: str) -> str:
    """Why a variable finds no key, in words."""
    if entry.key is None:
        return (f"no attribute path from ckpt_root reaches `{entry.name}` (made at line "
                f"{entry.line or '?'}), so a restore leaves it as it was initialised; "
                "hold it in an attribute of a tracked object (a Keras 3 model does not "
                "track layers kept in a plain list)")
    ours = object_path(entry.key)
    if key is None:
        return (f"no key `{ours}`, and no unused key of shape "
                f"{shape_text(entry.shape or [])} and {entry.dtype} comes near it")
    theirs = object_path(key.key[len(wrapper):])
    a, b = ours.split("/"), theirs.split("/")
    differ = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    if len(a) == len(b) and len(differ) == 1:
        x, y = a[differ[0]], b[differ[0]]
        if x.isdigit() and y.isdigit():
            return (f"`{ours}` vs `{theirs}`: item {x} here is item {y} in the checkpoint: "
                    "where it was saved, the list (or the Sequential's layers) had another "
                    "order or length before it")
        return (f"`{ours}` vs `{theirs}`: the attribute `{x}` here was `{y}` where the "
                "checkpoint was saved; TF2 restores by attribute path, not by variable name")
    return (f"no key `{ours}`; the nearest with its shape is `{theirs}` (the object paths "
            "differ: another structure of objects saved it)")


def marked_tf2(trace: Trace, report: CheckReport) -> tuple[Trace, tuple[Mark, ...]]:
    """What the graph draws for a TF2 check: the run's object tree (``tf2_as_scopes``) with
    each unused key added at its attribute path, and marks colouring every box."""
    status, reasons = report.status(), report.reasons()
    closest = {m.name: m.closest.key for m in report.missing if m.closest is not None}
    object_based = report.object_based
    drawn = tf2_as_scopes(trace)
    marks = []
    for entry in _entries(trace, object_based):
        if entry.name in status:
            tag = f"missing (nearest key: {closest[entry.name]})" \
                if entry.name in closest else ""
            marks.append(Mark(entry.box, status[entry.name], tag, reasons.get(entry.name, "")))
    boxes, key_marks = unused_key_boxes(
        report.unused, [object_path(k.key) if object_based else k.key for k in report.unused],
        {v.name for v in drawn.variables})
    return replace(drawn, events=[*drawn.events, *boxes]), tuple(marks + key_marks)


def check_run(trace: Trace) -> CheckReport:
    """The check a run's mode calls for: TF2's restore for a TF2 run, a ``Saver``'s else.

    Raises:
        NoRoot: as :func:`check_tf2`.
    """
    return check_tf2(trace) if trace.mode == TF2 else check(trace)


def marked_run(trace: Trace, report: CheckReport) -> tuple[Trace, tuple[Mark, ...]]:
    """What the graph draws for the run's check (see :func:`marked_tf2`, ``marked``)."""
    return marked_tf2(trace, report) if trace.mode == TF2 else marked(trace, report)
