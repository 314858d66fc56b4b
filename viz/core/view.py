"""Pure selection of what gets drawn: name filter, depth limit, collapsed series, ops.

Large models stay readable the way TensorBoard's graph dashboard keeps them readable: siblings
that differ only by a number (``tower_0`` ... ``tower_7``) become one node with a count.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Callable, Hashable, Iterable, Iterator

from viz.core import tf2
from viz.core.names import REUSED, STATUSES, op_name, parent_path
from viz.core.tf2 import DUPLICATE_NAME, RECREATED_PER_CALL, UNTRACKED
from viz.core.trace import Trace
from viz.core.tree import ROOT, ScopeNode, ScopeTree

# A series member: a name ending in a number, "tower_3" -> ("tower_", 3).
_NUMBERED = re.compile(r"^(.*?)([0-9]+)$")
_DIGITS = re.compile(r"[0-9]+")
MAX_OPS_DRAWN = 2000
# Scopes nested deeper than this are folded, whatever the depth limit: graphviz does not lay
# out deeper nested clusters in useful time, and drawing goes down one call per level (1,000
# nested name scopes are legal TF, and raised RecursionError).
DRAWN_DEPTH = 64
# What one drawing holds: past it, the rest of a scope's scopes (or variables) is one "+N
# more" box. 45,000 sibling scopes made 10 MB of DOT that graphviz worked on for 60 s and
# failed; graphviz's time grows faster than the number of clusters (here 500 sibling scopes
# take 1 s, 1,000 take 7 s), while boxes are cheap.
MAX_DRAWN_SCOPES = 500
MAX_DRAWN_BOXES = 2000
# Variables collapse only in long runs: "Variable_1" beside "Variable" is what users come to see.
VARIABLE_SERIES_MIN = 10


@dataclass(frozen=True)
class Mark:
    """What a check found about one drawn variable (``name``, as in the tree).

    ``kind`` picks the colour: ``restores``/``missing``/``mismatched``/``unused`` against a
    checkpoint, ``same``/``renamed``/``changed``/``only_a``/``only_b`` in a comparison.
    ``tag`` is the line of words in its box (the kind's words when empty: ``renamed``), and
    ``note`` the reason, shown in its tooltip and details.
    """

    name: str
    kind: str
    tag: str = ""
    note: str = ""


@dataclass(frozen=True)
class RenderOptions:
    """How the tree is drawn.

    Attributes:
        rankdir: graphviz's layout direction (LR, TB, RL, BT).
        show_ops: also draw the graph's ops inside their name scopes.
        collapse_series: draw siblings that differ only by a number, and hold the same
            scopes and variables, as one node.
        series_min: how many such siblings make a series (TensorBoard's threshold, 5).
        max_depth: scopes nested deeper than this are folded into their ancestor (None: all,
            up to :data:`DRAWN_DEPTH`).
        name_filter: keep only variables whose full name contains this (case-insensitive),
            with their scopes.
        legend: draw a legend in the graph itself (exported files have no page around them).
        compact_slots: draw optimizer and moving-average slots (``w/Adam``, ``w/Adam_1``)
            as a line of their variable's box instead of a scope box of their own.
        expand: scope paths drawn open in place although a series or the depth limit would
            fold them (``encoder/layer_3`` beside ``layer_[0..11] x11``).
        marks: what a check found about variables (:class:`Mark`), drawn instead of
            their status colour.
    """

    rankdir: str = "LR"
    show_ops: bool = False
    collapse_series: bool = True
    series_min: int = 5
    max_depth: int | None = None
    name_filter: str = ""
    legend: bool = False
    compact_slots: bool = True
    expand: frozenset[str] = frozenset()
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class Group:
    """One node standing for many: a collapsed series or a scope folded by the depth limit."""

    id: str
    label: str
    members: tuple[str, ...]
    counts: tuple[tuple[str, int], ...]
    kind: str  # "series", "folded" or "more" (what did not fit: not drawn)
    variables: tuple[str, ...] = ()  # every variable it stands for, by full name


@dataclass
class DrawnScope:
    """A scope drawn as a cluster, with what is drawn inside it."""

    node: ScopeNode
    scopes: list[DrawnScope] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Edge:
    """A reuse edge between drawn things (scope clusters, variables or groups)."""

    source: str
    target: str
    lines: tuple[int | None, ...]
    scopes: tuple[str, ...]
    variables: tuple[str, ...]


@dataclass
class View:
    """What to draw: the root cluster's contents and the reuse edges."""

    root: DrawnScope
    clusters: set[str]
    edges: list[Edge]
    hidden_ops: int = 0
    # variable -> its slots drawn in its box (compact_slots)
    slots: dict[str, list[str]] = field(default_factory=dict)


def slots_of(tree: ScopeTree) -> dict[str, list[str]]:
    """Each variable's slots, in creation order.

    Optimizers and moving averages make a slot with ``get_variable(name="")`` inside
    ``variable_scope(None, default_name="w/Adam")``, so the slot's variable scope is its own
    name, and its parent path is its variable's name, or ends with it when the slot was made
    inside a variable scope (``Model/Model/w/Adam`` is a slot of ``Model/w``).
    """
    by_path = {op_name(name): name for name in tree.variables}
    slots: dict[str, list[str]] = {}
    for name, variable in tree.variables.items():
        path = op_name(name)
        if variable.variable_scope != path or variable.api != "tf.get_variable" or "/" not in path:
            continue
        parts = path.split("/")[:-1]
        primary = next((by_path["/".join(parts[start:])] for start in range(len(parts))
                        if "/".join(parts[start:]) in by_path), None)
        if primary is not None:
            slots.setdefault(primary, []).append(name)
    return slots


# What each slot of TF's optimizers and moving averages holds, in the order they make them for
# a variable (tf.compat.v1.train's _create_slots); the default-name counter numbers the second
# one _1, the third _2.
SLOT_ROLES = {
    "Adam": ("first moment, m", "second moment, v"),
    "Momentum": ("momentum",),
    "RMSProp": ("mean square, rms", "momentum"),
    "Adagrad": ("accumulator",),
    "ProximalAdagrad": ("accumulator",),
    "AdagradDA": ("gradient accumulator", "squared gradient accumulator"),
    "Ftrl": ("accumulator", "linear"),
    "Adadelta": ("accumulator", "accumulated update"),
    "ExponentialMovingAverage": ("moving average",),
}
_CENTERED_RMSPROP = ("mean square, rms", "mean gradient, mg", "momentum")
_NUMBER_SUFFIX = re.compile(r"_[0-9]+$")


def slot_roles(slots: list[str]) -> dict[str, str]:
    """What each of a variable's slots holds (``w/Adam_1``: "Adam's second moment, v"), by
    the optimizer's default name and the slot's place among that optimizer's slots of the
    variable; none where the optimizer was given another name or the count does not fit."""
    by_optimizer: dict[str, list[str]] = {}
    for slot in slots:
        leaf = op_name(slot).rsplit("/", 1)[-1]
        by_optimizer.setdefault(_NUMBER_SUFFIX.sub("", leaf), []).append(slot)
    roles: dict[str, str] = {}
    for optimizer, found in by_optimizer.items():
        kinds = SLOT_ROLES.get(optimizer, ())
        if optimizer == "RMSProp" and len(found) == 3:
            kinds = _CENTERED_RMSPROP
        if kinds and len(found) % len(kinds) == 0:  # two Adams on one variable: m, v, m, v
            roles.update((slot, f"{optimizer}'s {kinds[i % len(kinds)]}")
                         for i, slot in enumerate(found))
    return roles


def slot_facts(tree: ScopeTree) -> dict[str, tuple[str, str]]:
    """Each slot's variable and what the slot holds for it ("" where unknown)."""
    facts: dict[str, tuple[str, str]] = {}
    for primary, slots in slots_of(tree).items():
        roles = slot_roles(slots)
        facts.update((slot, (primary, roles.get(slot, ""))) for slot in slots)
    return facts


def _series_key(name: str) -> tuple[str, int] | None:
    match = _NUMBERED.match(name)
    return (match.group(1), int(match.group(2))) if match else None


def _series(names: list[str], minimum: int,
            shape: Callable[[str], Hashable] | None = None,
            ) -> tuple[list[str], dict[str, list[str]]]:
    """Splits sibling names into singles and series (key -> members in numeric order).

    The unnumbered base joins its series: ``dense``, ``dense_1``, ``dense_2``. With ``shape``,
    only members of the same shape (what is inside them) make a series: ``foo_1`` with
    variables of its own is not one of ``foo_1_1``, ``foo_1_2``; each shape with enough
    members is a series of its own (a Keras model's ``_operations/3, 7, ...`` attention
    blocks and ``_operations/4, 8, ...`` norms). A series' key is its prefix, and for the
    second and later series of a prefix the prefix plus ``(first member)``.
    """
    by_prefix: dict[str, list[tuple[int, str]]] = {}
    for name in names:
        key = _series_key(name)
        if key is not None:
            by_prefix.setdefault(key[0], []).append((key[1], name))
    for name in names:
        base = by_prefix.get(name + "_")
        if base is not None:
            base.append((-1, name))
    series: dict[str, list[str]] = {}
    grouped: set[str] = set()
    for prefix, members in sorted(by_prefix.items(), key=lambda item: -len(item[1])):
        names_left = [n for _, n in sorted(members) if n not in grouped]
        groups = [names_left]
        if shape is not None and len(names_left) >= minimum:
            alike: dict[Hashable, list[str]] = {}
            for name in names_left:
                alike.setdefault(shape(name), []).append(name)
            groups = sorted(alike.values(), key=len, reverse=True)
        for group in groups:
            if len(group) >= minimum:
                series[prefix if prefix not in series else f"{prefix}({group[0]})"] = group
                grouped.update(group)
    return [n for n in names if n not in grouped], series


def _series_label(members: list[str]) -> str:
    keys = [key for key in map(_series_key, members) if key is not None]
    prefix = keys[0][0] if keys else ""
    numbers = [number for _, number in keys]
    span = f"{min(numbers)}..{max(numbers)}" if numbers else ""
    return f"{prefix}[{span}] x{len(members)}"


class _Builder:
    def __init__(self, tree: ScopeTree, options: RenderOptions) -> None:
        self.tree = tree
        self.options = options
        self.anchor: dict[str, str] = {}
        self.clusters: set[str] = set()
        self.kept = self._kept()
        self.ops_drawn = 0
        self.hidden_ops = 0
        self.scopes_drawn = 0  # against MAX_DRAWN_SCOPES
        self.boxes = 0  # variables and groups drawn, against MAX_DRAWN_BOXES
        self.slots = self._compact_slots()
        self.slot_of = {slot: primary for primary, slots in self.slots.items() for slot in slots}
        self.absorbed = self._absorbed()

    def _compact_slots(self) -> dict[str, list[str]]:
        """The slots drawn in their variable's box: those of a drawn variable."""
        if not self.options.compact_slots:
            return {}
        return {primary: slots for primary, slots in slots_of(self.tree).items()
                if self.visible(primary)}

    def _absorbed(self) -> set[str]:
        """Scopes drawn as nothing because all they hold are slots drawn in their variables'
        boxes (``w`` holding ``w/Adam:0`` and the empty scope ``w/Adam``), the name scopes the
        slots' ops went to, and the bare paths above them that hold nothing else
        (``Model/Model`` of ``Model/Model/w/Adam``)."""
        def subtree(node: ScopeNode) -> list[ScopeNode]:
            nodes, stack = [], [node]
            while stack:
                nodes.append(stack.pop())
                stack.extend(self.tree.nodes[c] for c in nodes[-1].children)
            return nodes

        def only_slots(node: ScopeNode) -> bool:
            return not any(any(v not in self.slot_of for v in current.variables)
                           or (self.options.show_ops and current.ops)
                           for current in subtree(node))

        absorbed: set[str] = set()
        holders = {op_name(slot).rsplit("/", 1)[0] for slot in self.slot_of}
        # The name scope a slot's ops went to: the slot's path under the name scope its
        # optimizer ran in (Train/Model/Model/w/Adam for the slot Model/Model/w/Adam).
        paths = {op_name(slot) for slot in self.slot_of}
        holders |= {node_id for node_id in self.tree.nodes if node_id not in paths and any(
            node_id.endswith("/" + path) for path in paths)}
        for holder in holders:
            node = self.tree.nodes.get(holder)
            if node is None or not only_slots(node):
                continue
            while True:
                absorbed.update(current.id for current in subtree(node))
                parent = self.tree.nodes[parent_path(node.id)]
                if parent.id == ROOT or parent.kinds or not only_slots(parent):
                    break
                node = parent
        return absorbed

    def _kept(self) -> set[str] | None:
        """Scope and variable ids that pass the name filter (None: no filter)."""
        needle = self.options.name_filter.strip().lower()
        if not needle:
            return None
        kept: set[str] = set()

        def keep_path(path: str) -> None:
            while path and path not in kept:
                kept.add(path)
                path = parent_path(path)

        for name in self.tree.variables:
            if needle in name.lower():
                kept.add(name)
                keep_path(parent_path(name))
        for link in self.tree.reuses:
            if link.variable in kept:
                keep_path(link.scope)
        return kept

    def visible(self, item: str) -> bool:
        return self.kept is None or item in self.kept

    def descendants(self, node: ScopeNode) -> tuple[list[str], list[str]]:
        """All scope ids and variable names under ``node`` (itself included)."""
        scopes, variables, stack = [], [], [node]
        while stack:
            current = stack.pop()
            scopes.append(current.id)
            variables.extend(v for v in current.variables if self.visible(v))
            stack.extend(self.tree.nodes[c] for c in current.children if self.visible(c))
        return scopes, variables

    def counts(self, variables: list[str]) -> tuple[tuple[str, int], ...]:
        """How many of the variables have each status, or, where a check or comparison
        marked them (``options.marks``), each mark kind, marks first."""
        kinds = {mark.name: mark.kind for mark in self.options.marks}
        marked = Counter(kinds[v] for v in variables if v in kinds)
        unmarked = [v for v in variables if v not in kinds]
        tally = Counter(self.tree.variables[v].status for v in unmarked)
        tally[REUSED] = sum(1 for v in unmarked if v in self.tree.reused)
        return tuple(marked.items()) + tuple((s, tally[s]) for s in STATUSES if tally[s])

    def group(self, group_id: str, label: str, nodes: list[ScopeNode], kind: str) -> Group:
        members, variables = [], []
        for node in nodes:
            scopes, inner = self.descendants(node)
            members.extend(scopes)
            variables.extend(inner)
        for item in members + variables:
            self.anchor[item] = group_id
        return Group(group_id, label, tuple(n.id for n in nodes), self.counts(variables), kind,
                     tuple(variables))

    def variable_group(self, group_id: str, label: str, names: list[str],
                       kind: str = "series") -> Group:
        for name in names:
            self.anchor[name] = group_id
        return Group(group_id, label, tuple(names), self.counts(names), kind, tuple(names))

    def shape(self, scope_id: str) -> frozenset[str]:
        """What is inside a scope, relative to it: the paths of its scopes and variables, with
        numbers made alike (``model_3`` holds ``tower_3`` as ``model_4`` holds ``tower_4``)."""
        start = len(scope_id) + 1
        scopes, variables = self.descendants(self.tree.nodes[scope_id])
        paths = [s[start:] for s in scopes if s != scope_id] + [op_name(v)[start:]
                                                                 for v in variables]
        return frozenset(_DIGITS.sub("#", path) for path in paths)

    def split(self, names: list[str], minimum: int, full: Callable[[str], str],
              scopes: bool) -> tuple[list[str], dict[str, list[str]]]:
        """Singles and series among sibling names, each named in full by ``full`` (sibling
        scopes must also have the same shape); all singles when collapsing is off, and the
        names the options open in place always."""
        if not self.options.collapse_series:
            return names, {}
        shape = (lambda name: self.shape(full(name))) if scopes else None
        opened = {n for n in names if full(n) in self.options.expand}
        singles, series = _series([n for n in names if n not in opened], minimum, shape)
        kept = opened | set(singles)  # sets: 45,000 siblings took 12 s as lists
        return [n for n in names if n in kept], series

    def draw(self, node: ScopeNode, depth: int) -> DrawnScope:
        limit = min(self.options.max_depth or DRAWN_DEPTH, DRAWN_DEPTH)
        drawn = DrawnScope(node)
        self.anchor[node.id] = node.id
        if node.id:
            self.clusters.add(node.id)
        prefix = f"{node.id}/" if node.id else ""
        children = [c for c in node.children if self.visible(c) and c not in self.absorbed]
        singles, series = self.split([self.tree.nodes[c].name for c in children],
                                     self.options.series_min, lambda n: prefix + n, scopes=True)
        self.scopes_drawn += 1
        overflow: list[ScopeNode] = []
        for name in singles:
            child = self.tree.nodes[prefix + name]
            if (self.scopes_drawn >= MAX_DRAWN_SCOPES or self.boxes >= MAX_DRAWN_BOXES) \
                    and child.id not in self.options.expand:
                overflow.append(child)
            elif depth + 1 > limit and child.id not in self.options.expand:
                self.boxes += 1
                _, inner = self.descendants(child)
                drawn.groups.append(self.group(child.id, f"{child.name} ({len(inner)} variables)",
                                               [child], "folded"))
            else:
                drawn.scopes.append(self.draw(child, depth + 1))
        if overflow:
            self.boxes += 1
            drawn.groups.append(self.group(
                f"{prefix}+more", f"+{len(overflow):,} more scopes, not drawn", overflow,
                "more"))
        for series_prefix, members in series.items():
            self.boxes += 1
            nodes = [self.tree.nodes[prefix + m] for m in members]
            label = _series_label(members)
            if label.startswith("["):  # bare numbers say nothing: name what each holds
                inside = sorted({op_name(v)[len(nodes[0].id) + 1:].split("/")[0]
                                 for v in self.descendants(nodes[0])[1]})
                label += f" ({', '.join(inside[:2])}{', ...' if len(inside) > 2 else ''})"
            drawn.groups.append(self.group(f"{prefix}{series_prefix}*", label, nodes,
                                           "series"))
        variables = [v for v in node.variables if self.visible(v) and v not in self.slot_of]
        short = {op_name(v).rsplit("/", 1)[-1]: v for v in variables}
        singles, series = self.split(list(short), VARIABLE_SERIES_MIN, short.__getitem__,
                                     scopes=False)
        room = max(MAX_DRAWN_BOXES - self.boxes, 0)
        for name in singles[:room]:
            self.anchor[short[name]] = short[name]
            drawn.variables.append(short[name])
        self.boxes += min(len(singles), room)
        if len(singles) > room:
            self.boxes += 1
            drawn.groups.append(self.variable_group(
                f"{prefix}+more:0", f"+{len(singles) - room:,} more variables, not drawn",
                [short[name] for name in singles[room:]], "more"))
        self.boxes += len(series)
        for series_prefix, members in series.items():
            drawn.groups.append(self.variable_group(
                f"{prefix}{series_prefix}*:0", _series_label(members),
                [short[m] for m in members]))
        if self.options.show_ops:
            for op in node.ops:
                if self.kept is not None and self.options.name_filter.lower() not in op.lower():
                    continue
                if self.ops_drawn >= MAX_OPS_DRAWN:
                    self.hidden_ops += 1
                    continue
                self.ops_drawn += 1
                drawn.ops.append(op)
        return drawn

    def edges(self) -> list[Edge]:
        merged: dict[tuple[str, str], list] = {}
        for link in self.tree.reuses:
            scope_kept = link.scope == ROOT or self.visible(link.scope)
            if not (self.visible(link.variable) and scope_kept):
                continue
            source = self.anchor.get(link.scope, ROOT)
            target = self.anchor.get(self.slot_of.get(link.variable, link.variable))
            if target is None:
                continue
            entry = merged.setdefault((source, target), [[], [], []])
            entry[0].extend(link.lines)
            entry[1].append(link.scope)
            entry[2].append(link.variable)
        return [Edge(source, target, tuple(lines), tuple(dict.fromkeys(scopes)),
                     tuple(dict.fromkeys(variables)))
                for (source, target), (lines, scopes, variables) in merged.items()]


def deeper_than_drawn(trace: Trace) -> bool:
    """Whether some scope is nested deeper than :data:`DRAWN_DEPTH`, so that the drawing
    folds it whatever the depth limit says."""
    return any(name.count("/") >= DRAWN_DEPTH for name in trace.scopes()) or any(
        v.name.count("/") > DRAWN_DEPTH for v in trace.variables)


def build_view(tree: ScopeTree, options: RenderOptions) -> View:
    """Decides what to draw of ``tree``; every hidden scope or variable maps to what stands
    for it, so reuse edges still connect the right boxes."""
    builder = _Builder(tree, options)
    root = builder.draw(tree.nodes[ROOT], 0)
    return View(root=root, clusters=builder.clusters, edges=builder.edges(),
                hidden_ops=builder.hidden_ops, slots=builder.slots)


def _groups(view: View) -> Iterator[Group]:
    """Every series and folded scope the view draws, in drawing order."""
    stack = [view.root]
    while stack:
        drawn = stack.pop()
        yield from drawn.groups
        stack.extend(reversed(drawn.scopes))


def openable(view: View) -> list[str]:
    """The scopes and variables a view folds into series or depth-limit nodes, in drawing
    order: what :attr:`RenderOptions.expand` can open in place."""
    return [member for group in _groups(view) if group.kind != "more"
            for member in group.members]


def matching_inside(view: View, search: str) -> dict[str, tuple[str, ...]]:
    """Each box standing for many (a series, a folded scope, what did not fit) with its
    variables whose full name contains ``search``, case-insensitive as the graph's highlight:
    the highlight sees only the box's label, and must not report 0 for what it folds."""
    needle = search.strip().lower()
    if not needle:
        return {}
    found = {group.id: tuple(v for v in group.variables if needle in v.lower())
             for group in _groups(view)}
    return {group_id: names for group_id, names in found.items() if names}


def opened_for(tree: ScopeTree, options: RenderOptions, names: Iterable[str]) -> list[str]:
    """``options.expand`` with what draws each of ``names`` in a box of its own: the member
    of each box that holds one, round after round (a series inside an opened member is drawn
    folded in its turn), in the order opened."""
    wanted, expand = set(names), list(options.expand)
    while True:
        view = build_view(tree, replace(options, expand=frozenset(expand)))
        more = [member for group in _groups(view) for member in group.members
                if any(name == member or op_name(name).startswith(member + "/")
                       for name in wanted.intersection(group.variables))]
        more = [member for member in dict.fromkeys(more) if member not in expand]
        if not more:
            return expand
        expand += more


def filter_matches(names: list[str], name_filter: str) -> int:
    """How many of ``names`` the name filter keeps (case-insensitive, as the view does)."""
    needle = name_filter.strip().lower()
    return sum(needle in name.lower() for name in names) if needle else len(names)


def find_group(view: View, group_id: str) -> Group | None:
    """The drawn series or folded scope with this id (what a click on its box names)."""
    return next((group for group in _groups(view) if group.id == group_id), None)


# Which warning colours a TF2 variable's box when it has several: the one that loses data.
_TF2_MARK_ORDER = (RECREATED_PER_CALL, UNTRACKED, DUPLICATE_NAME)


def tf2_marks(trace: Trace) -> tuple[Mark, ...]:
    """The marks of a TF2 run's boxes (ids as in :func:`viz.core.tree.tf2_as_scopes`): one with a
    warning is coloured by the worst and names them all; with a ``ckpt_root``, one its
    checkpoint holds is ``saved``, its key in the tooltip."""
    holders = tf2.key_holders(trace)
    marks = []
    for index, (variable, box, warnings) in enumerate(zip(
            trace.tf2_variables, tf2.box_names(trace), tf2.variable_warnings(trace))):
        note = f"tf.Variable {variable.name}, checkpoint key {holders[index].key}" \
            if index in holders else ""
        worst = next((kind for kind in _TF2_MARK_ORDER if kind in warnings), None)
        if worst is not None:
            marks.append(Mark(box, worst, ", ".join(w.replace("_", " ") for w in warnings),
                              note))
        elif index in holders:
            marks.append(Mark(box, "saved", f"tf name {variable.name}", note))
    return tuple(marks)
