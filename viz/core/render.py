"""Pure rendering: scope tree -> DOT text. Knows nothing of files, processes, Streamlit or TF."""

from __future__ import annotations

import html

from viz.core.escape import dot_string, shorten
from viz.core.names import CREATED, REUSED, SLOT, STATUSES, UNIQUIFIED, op_name, shape_text
from viz.core.trace import VariableEvent
from viz.core.tree import NAME_SCOPE, ROOT, VARIABLE_SCOPE, ScopeNode, ScopeTree
from viz.core.view import (
    MAX_OPS_DRAWN,
    DrawnScope,
    Group,
    Mark,
    RenderOptions,
    View,
    build_view,
    slot_facts,
)

# Fill of a variable by how it was created.
STATUS_COLORS = {CREATED: "#b8e186", UNIQUIFIED: "#fdb863", SLOT: "#d8daeb"}
REUSED_BORDER = "#2166ac"
# A reused variable keeps its own fill (created or uniquified) and gets a thick blue border.
LEGEND_STYLES = {CREATED: f"background:{STATUS_COLORS[CREATED]}",
                 UNIQUIFIED: f"background:{STATUS_COLORS[UNIQUIFIED]}",
                 REUSED: f"border:2.5px solid {REUSED_BORDER}",
                 SLOT: f"background:{STATUS_COLORS[SLOT]}"}
STATUS_MEANINGS = {
    CREATED: "created: a new variable with the name the code asked for",
    REUSED: "reused: get_variable calls that returned an existing variable (drawn as a thick "
            "blue border on that variable)",
    UNIQUIFIED: "uniquified: TF appended _N to a name or scope the code asked for",
    SLOT: "slot: a variable an optimizer or a moving average made for another (w/Adam, "
          "w/Adam_1: the _1 is the optimizer's own naming, not a collision in the code)",
}
# Fill of a variable by what a checkpoint check or a comparison found (RenderOptions.marks):
# light fills, so the dark text stays readable, in both themes.
MARK_COLORS = {"restores": "#a6dba0", "missing": "#f4a582", "mismatched": "#fee08b",
               "unused": "#e0e0e0", "same": "#a6dba0", "renamed": "#abd9e9",
               "changed": "#fee08b", "only_a": "#f4a582", "only_b": "#f4a582",
               "saved": "#a6dba0", "untracked": "#e0e0e0", "duplicate_name": "#fee08b",
               "recreated_per_call": "#f4a582"}
MARK_MEANINGS = {
    "restores": "restores: a checkpoint key has this name, shape and dtype",
    "missing": "missing: no checkpoint key restores this variable (the reason is in its "
               "tooltip and the table)",
    "mismatched": "mismatched: the key exists with another shape or dtype",
    "unused": "unused: a checkpoint key no variable restores from (dashed box)",
    "same": "same: both snippets make this name",
    "renamed": "renamed: the other snippet makes this variable under another name",
    "changed": "changed: the same name with another shape or dtype",
    "only_a": "only in A: B makes nothing like it",
    "only_b": "only in B: A makes nothing like it",
    "saved": "in the checkpoint: a key of ckpt_root's checkpoint holds it (the key is in its "
             "tooltip)",
    "untracked": "untracked: no key of ckpt_root's checkpoint holds it; it is never saved "
                 "(dashed box)",
    "duplicate_name": "duplicate name: another variable has the same name (eager names are "
                      "never made unique)",
    "recreated_per_call": "recreated per call: the same line made it before",
}
MARK_WORDS = {"unused": "unused key", "only_a": "only in A", "only_b": "only in B",
              "saved": "in checkpoint", "duplicate_name": "duplicate name",
              "recreated_per_call": "recreated per call"}
# Marks of what is not really there for the restore: drawn dashed.
DASHED_MARKS = ("unused", "untracked")
ROOT_ANCHOR = "(root)"
GROUP_COLOR = "#e0e0e0"
# Characters of a name drawn in a box; the tooltip and the table keep the whole name.
LABEL_CHARS = 48
# Longest attribute value: a 4,096-character name and its details fit, escaped, in graphviz's
# 16,384-character limit on a quoted string.
MAX_ATTR_CHARS = 6000
# A reuse edge between series may stand for thousands of calls: its label and tooltip name a
# few lines and scopes and count the rest.
EDGE_LINES = 6
EDGE_SCOPES = 8


def legend_html(counts: dict[str, int], marks: dict[str, int] | None = None,
                paths: str | None = None) -> str:
    """The page's legend: status colours with their counts (or, when variables are marked
    by a check, the marks' colours and counts) and the two kinds of scope box; or, for a
    drawing whose boxes are plain paths (TF2 mode), ``paths``, what those boxes are."""
    if marks:
        items = [(MARK_MEANINGS[mark], f"background:{MARK_COLORS[mark]}",
                  MARK_WORDS.get(mark, mark), n) for mark, n in marks.items()]
    else:
        items = [(STATUS_MEANINGS[status], LEGEND_STYLES[status], status,
                  counts.get(status, 0)) for status in STATUSES]
        if counts.get(SLOT):
            items.append((STATUS_MEANINGS[SLOT], LEGEND_STYLES[SLOT], SLOT, counts[SLOT]))
    swatches = "".join(
        f'<span title="{meaning}" style="{style};padding:2px 8px;border-radius:4px;'
        f'margin-right:6px;display:inline-block">{word} ({n})</span>'
        for meaning, style, word, n in items)
    # Dark text on a light strip whatever the page's theme: the swatches are light colours.
    scopes = ('<span style="border:1.6px solid #2166ac;padding:1px 6px;margin-right:6px;'
              'display:inline-block">variable scope</span><span style="border:1px dashed #666;'
              'padding:1px 6px;display:inline-block">name scope</span>') if paths is None else (
        f'<span style="border:1px dotted #666;padding:1px 6px;display:inline-block">'
        f'{html.escape(paths)}</span>')
    return ('<div class="scopeviz-legend" style="background:#ffffff;color:#111111;'
            'padding:2px 6px;border-radius:6px;line-height:2.1">' + swatches + scopes
            + '</div>')


def _q(text: str) -> str:
    """Every id and attribute value: a quoted DOT string holding exactly the text (the
    graphviz package's ``quote`` leaves a trailing backslash free to end the string early)."""
    return dot_string(text)


def _attrs(**attrs: str) -> str:
    """Attribute values are cut to MAX_ATTR_CHARS: graphviz refuses a quoted string longer
    than 16,384 characters, and escaping may double a value's length."""
    return "[" + " ".join(f"{key}={_q(shorten(value, MAX_ATTR_CHARS))}"
                          for key, value in attrs.items()) + "]"


def _listing(items: list[str], most: int) -> str:
    """``a, b, c and 12 more``: a tooltip names a few, and counts the rest."""
    shown = ", ".join(items[:most])
    return shown + (f" and {len(items) - most} more" if len(items) > most else "")


def _shape(shape: list[int | None] | None) -> str:
    return "<unknown>" if shape is None else shape_text(shape)


def _variable_label(variable: VariableEvent) -> str:
    given = op_name(variable.name)
    head = shorten(given.rsplit("/", 1)[-1], LABEL_CHARS)
    if variable.status == UNIQUIFIED:
        head = f"{shorten(variable.requested, LABEL_CHARS)} -> {shorten(given, LABEL_CHARS)}"
    return f"{head}\n{_shape(variable.shape)} {variable.dtype}"


def _variable_tooltip(variable: VariableEvent, reuses: int) -> str:
    api = variable.api + (f" via {shorten(variable.via, 2 * LABEL_CHARS)}" if variable.via else "")
    line = f"line {variable.line}" if variable.line is not None else "line ?"
    calls = "call" if reuses == 1 else "calls"
    reused = f", reused by {reuses} later get_variable {calls}" if reuses else ""
    return (f"{variable.name}\nshape {_shape(variable.shape)}, {variable.dtype}\n"
            f"{api}, {line}\nstatus: {variable.status}{reused}")


def _slots_label(slots: list[VariableEvent], marks: dict[str, Mark]) -> str:
    """``slots: Adam, Adam_1``: each slot's own name (and its mark, when a check marked it:
    ``Adam (missing)``). ``Adam_1`` is the optimizer's naming: no alarm for it."""
    names = []
    for slot in slots:
        mark = marks.get(slot.name)
        note = MARK_WORDS.get(mark.kind, mark.kind) if mark else ""
        names.append(shorten(op_name(slot.name).rsplit("/", 1)[-1], LABEL_CHARS // 2)
                     + (f" ({note})" if note else ""))
    return "slots: " + _listing(names, 4)


def _slots_tooltip(slots: list[VariableEvent], facts: dict[str, tuple[str, str]]) -> str:
    rows = [f"{slot.name} {_shape(slot.shape)} {slot.status}, line "
            f"{slot.line if slot.line is not None else '?'}"
            + (f": {facts[slot.name][1]}" if facts.get(slot.name, ("", ""))[1] else "")
            for slot in slots]
    return ("optimizer / moving-average slots (an optimizer with two slots per variable asks "
            "for the same scope twice, so TF naming the second Adam_1 is normal):\n"
            + "\n".join(rows[:EDGE_SCOPES])
            + (f"\nand {len(rows) - EDGE_SCOPES} more" if len(rows) > EDGE_SCOPES else ""))


def _cluster_style(node: ScopeNode) -> dict[str, str]:
    if VARIABLE_SCOPE in node.kinds:
        kind = "variable scope" + (" + name scope" if NAME_SCOPE in node.kinds else "")
        return {"label": f"{shorten(node.name, LABEL_CHARS)}\n({kind})",
                "style": "rounded,filled",
                "fillcolor": "#eef3fa", "color": "#2166ac", "penwidth": "1.6",
                "tooltip": f"{kind} {node.id}"}
    if NAME_SCOPE in node.kinds:
        return {"label": f"{shorten(node.name, LABEL_CHARS)}\n(name scope)",
                "style": "rounded,dashed",
                "color": "#666666", "tooltip": f"name scope {node.id}"}
    if node.id.startswith("(graph ") and "/" not in node.id:
        return {"label": f"{node.id[1:-1]}: another tf.Graph the snippet built",
                "style": "dashed", "color": "#7b3294", "penwidth": "1.6",
                "tooltip": "names in a second tf.Graph are made unique apart from the first"}
    return {"label": shorten(node.name, LABEL_CHARS), "style": "dotted", "color": "#999999",
            "tooltip": f"path {node.id}"}


def _cluster_id(path: str) -> str:
    return f"cluster_{path}"


def counts_text(group: Group) -> str:
    """``54 in checkpoint, 2 created``: what a group holds, in the legend's words."""
    return ", ".join(f"{n} {MARK_WORDS.get(kind, kind)}" for kind, n in group.counts) \
        or "no variables"


def _group_attrs(group: Group) -> str:
    """A group's node: filled with its mark's colour when every variable in it has the same
    mark (a series that is all in the checkpoint is green), else the neutral group fill."""
    counts = counts_text(group)
    shown = ", ".join(group.members[:12]) + (", ..." if len(group.members) > 12 else "")
    what = {"series": "series", "folded": "folded scope"}.get(group.kind, "not drawn:")
    kinds = [kind for kind, _ in group.counts]
    fill = MARK_COLORS[kinds[0]] if len(kinds) == 1 and kinds[0] in MARK_COLORS \
        else GROUP_COLOR
    return _attrs(label=f"{shorten(group.label, LABEL_CHARS)}\n{counts}",
                  shape="box3d" if group.kind == "series" else "folder", style="filled",
                  fillcolor=fill, tooltip=f"{what} {group.id}: {shown}\n{counts}")


class _Writer:
    """Emits DOT statements for a view, one line each."""

    def __init__(self, tree: ScopeTree, view: View, options: RenderOptions) -> None:
        self.tree = tree
        self.view = view
        # every slot's variable and role: a slot drawn in a box of its own says whose it is
        self.slot_facts = slot_facts(tree)
        self.rankdir = options.rankdir
        self.marks = {mark.name: mark for mark in options.marks}
        self.out: list[str] = []

    def contents(self, drawn: DrawnScope, indent: str) -> None:
        """Nested scopes above variables, groups and ops, each in code order on the page.

        In a left-to-right layout graphviz stacks the top level from the bottom up (what is
        written last is on top) and a cluster's insides from the top down, clusters first; so
        the top level is written in reverse, its nodes before its clusters.
        """
        nodes = [self.variable(name, indent) for name in drawn.variables]
        nodes += [f"{indent}{_q(group.id)} {_group_attrs(group)};" for group in drawn.groups]
        nodes += [f"{indent}{_q(op)} " + _attrs(
            label=shorten(op.rsplit("/", 1)[-1], LABEL_CHARS), shape="ellipse",
            fontsize="9", color="#aaaaaa", fontcolor="#555555", tooltip=f"op {op}") + ";"
            for op in drawn.ops]
        scopes = drawn.scopes
        if drawn is self.view.root and self.rankdir in ("LR", "RL"):
            nodes, scopes = nodes[::-1], scopes[::-1]
        self.out += nodes
        for child in scopes:
            self.cluster(child, indent)

    def variable(self, name: str, indent: str) -> str:
        """A variable's node: filled by how it was created; a thick blue border and "reused
        xN" when later get_variable calls returned it (both facts, as the legend counts)."""
        variable = self.tree.variables[name]
        reuses = self.tree.reuse_count(name)
        attrs = {"label": _variable_label(variable), "shape": "box", "style": "rounded,filled",
                 "fillcolor": STATUS_COLORS[variable.status],
                 "tooltip": _variable_tooltip(variable, reuses)}
        if name in self.slot_facts:  # drawn in a box of its own (compact slots off)
            owner, role = self.slot_facts[name]
            attrs["label"] = (f"{shorten(op_name(name).rsplit('/', 1)[-1], LABEL_CHARS)}\n"
                              f"slot of {shorten(op_name(owner), LABEL_CHARS)}\n"
                              + (f"({shorten(role, LABEL_CHARS)})\n" if role else "")
                              + f"{_shape(variable.shape)} {variable.dtype}")
            attrs["fillcolor"] = STATUS_COLORS[SLOT]
        if name in self.marks:
            mark = self.marks[name]
            words = MARK_WORDS.get(mark.kind, mark.kind)
            attrs["fillcolor"] = MARK_COLORS[mark.kind]
            attrs["label"] += "\n" + shorten(mark.tag or words, LABEL_CHARS)
            attrs["tooltip"] += f"\n{words}" + (f": {mark.note}" if mark.note else "")
            if mark.kind in DASHED_MARKS:
                attrs["style"] = "rounded,filled,dashed"
        slots = [self.tree.variables[slot] for slot in self.view.slots.get(name, [])]
        if slots:
            attrs["label"] += "\n" + _slots_label(slots, self.marks)
            attrs["tooltip"] += "\n" + _slots_tooltip(slots, self.slot_facts)
        if reuses:
            attrs["label"] += f"\nreused x{reuses}"
            attrs |= {"color": REUSED_BORDER, "penwidth": "2.5"}
        return f"{indent}{_q(name)} " + _attrs(**attrs) + ";"

    def cluster(self, drawn: DrawnScope, indent: str) -> None:
        node = drawn.node
        self.out.append(f"{indent}subgraph {_q(_cluster_id(node.id))} {{")
        for key, value in _cluster_style(node).items():
            self.out.append(f"{indent}  {key}={_q(value)};")
        # An invisible anchor: reuse edges from or to the scope end on the cluster's border.
        self.out.append(f"{indent}  {_q(node.id)} " + _attrs(
            shape="point", width="0.01", style="invis", tooltip=node.id) + ";")
        self.contents(drawn, indent + "  ")
        self.out.append(f"{indent}}}")

    def edges(self) -> None:
        if any(edge.source == ROOT for edge in self.view.edges):
            self.out.append(f"  {_q(ROOT_ANCHOR)} " + _attrs(shape="plaintext",
                                                               label="(root)") + ";")
        for edge in self.view.edges:
            distinct = [str(line) for line in dict.fromkeys(edge.lines) if line is not None]
            lines = _listing(distinct, EDGE_LINES)
            scopes = _listing([s or "(root)" for s in dict.fromkeys(edge.scopes)], EDGE_SCOPES)
            variables = _listing(list(dict.fromkeys(edge.variables)), EDGE_SCOPES)
            attrs = {"style": "dashed", "color": "#2166ac", "label": f"reuse (line {lines})",
                     "tooltip": f"get_variable at line {lines} in name scope {scopes} "
                                f"returned {variables}"}
            if edge.source in self.view.clusters:
                attrs["ltail"] = _cluster_id(edge.source)
            if edge.target in self.view.clusters:
                attrs["lhead"] = _cluster_id(edge.target)
            source = edge.source if edge.source != ROOT else ROOT_ANCHOR
            self.out.append(f"  {_q(source)} -> {_q(edge.target)} {_attrs(**attrs)};")


def _legend(rankdir: str, marks: tuple[str, ...]) -> list[str]:
    """The legend as a cluster of sample boxes, in one row; its ids hold parentheses, which
    no TF name can, so they never meet a variable's."""
    fills = [(MARK_WORDS.get(mark, mark), MARK_COLORS[mark],
              "rounded,filled,dashed" if mark in DASHED_MARKS else "rounded,filled")
             for mark in marks] or [("created", STATUS_COLORS[CREATED], "rounded,filled"),
                                    ("uniquified", STATUS_COLORS[UNIQUIFIED], "rounded,filled")]
    samples = [(word, {"style": style, "fillcolor": color}) for word, color, style in fills]
    samples += [
        ("reused xN", {"style": "rounded", "color": REUSED_BORDER, "penwidth": "2.5"}),
        ("variable scope", {"style": "rounded,filled", "fillcolor": "#eef3fa",
                            "color": "#2166ac", "penwidth": "1.6"}),
        ("name scope", {"style": "rounded,dashed", "color": "#666666"}),
    ]
    lines = ['  subgraph "cluster_(legend)" {', '    label="legend";', '    color="#bbbbbb";']
    for text, style in samples:
        lines.append(f"    {_q('(legend) ' + text)} "
                     + _attrs(label=text, shape="box", fontsize="9", **style) + ";")
    if rankdir in ("LR", "RL"):  # same-rank boxes would stack: chain them into a row
        ids = [_q("(legend) " + text) for text, _ in samples]
        lines += [f"    {a} -> {b} [style=\"invis\"];" for a, b in zip(ids, ids[1:])]
    lines.append("  }")
    return lines


def to_dot(tree: ScopeTree, options: RenderOptions = RenderOptions()) -> str:
    """Draws scopes as clusters, variables as nodes coloured by status, reuses as edges.

    Node ids are full scope paths and variable names, so the text is deterministic.
    """
    view = build_view(tree, options)
    writer = _Writer(tree, view, options)
    writer.out += [
        "digraph scopes {",
        "  graph " + _attrs(rankdir=options.rankdir, compound="true", fontname="Helvetica",
                            nodesep="0.25", ranksep="0.4") + ";",
        "  node " + _attrs(fontname="Helvetica", fontsize="11") + ";",
        "  edge " + _attrs(fontname="Helvetica", fontsize="9") + ";",
    ]
    if view.hidden_ops:
        note = (f"{view.hidden_ops} more ops not drawn (at most {MAX_OPS_DRAWN} are); "
                "use the name filter")
        writer.out.append(f"  label={_q(note)};")
    writer.contents(view.root, "  ")
    writer.edges()
    writer.out.append("}")
    dot = "\n".join(writer.out) + "\n"
    return with_legend(dot, options) if options.legend else dot


def with_legend(dot: str, options: RenderOptions) -> str:
    """The same drawing with the legend added at its end (exported files have no page
    around them to hold one): the marks' colours when a check marked variables."""
    marks = tuple(dict.fromkeys(mark.kind for mark in options.marks))
    return dot[:dot.rindex("}")] + "\n".join(_legend(options.rankdir, marks)) + "\n}\n"
