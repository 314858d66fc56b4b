"""Pure details of one box of the drawing, for the card shown when it is clicked: what it is,
every fact the trace holds about it, the "why" sentence, and the snippet lines it came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from viz.core.explain import explain
from viz.core.names import in_graph, op_name, shape_text
from viz.core.trace import Trace
from viz.core.tree import build_tree
from viz.core.view import Mark, slot_facts

CLUSTER_PREFIX = "cluster_"


@dataclass(frozen=True)
class Details:
    """A card: a heading, label/value rows, the why-sentences, and the lines to mark."""

    title: str
    rows: list[tuple[str, str]]
    why: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)


def node_details(trace: Trace, node_id: str, marks: tuple[Mark, ...] = ()) -> Details | None:
    """The details of a drawn variable (its id is its full name, ``(graph N)/`` in front for
    another graph) or scope (``cluster_`` + its path); None for anything else. A variable a
    check marked (``RenderOptions.marks``) shows the mark, and its note leads the why."""
    tree = build_tree(trace)
    marked = {mark.name: mark for mark in marks}
    if node_id in tree.variables:
        variable = tree.variables[node_id]
        reuses = [r for r in trace.reuses if in_graph(r.graph, r.name) == node_id
                  or in_graph(r.graph, op_name(r.name)) == op_name(node_id)]
        api = variable.api + (f" via {variable.via}" if variable.via else "")
        rows = [("name", variable.name), ("requested", variable.requested),
                ("status", variable.status + (
                    f", reused by {len(reuses)} later get_variable "
                    f"call{'s' if len(reuses) != 1 else ''}" if reuses else "")),
                ("API", api),
                ("shape", "unknown" if variable.shape is None else shape_text(variable.shape)),
                ("dtype", variable.dtype),
                ("trainable", "yes" if variable.trainable else "no"),
                ("collections", ", ".join(variable.collections)),
                ("line", str(variable.line) if variable.line is not None else "unknown")]
        if reuses:
            rows.append(("reused at lines", ", ".join(
                str(line) for line in dict.fromkeys(r.line for r in reuses) if line)))
        facts = slot_facts(tree)
        slots = [slot for slot, (owner, _) in facts.items() if owner == node_id]
        if slots:
            rows.append(("slots", ", ".join(
                slot + (f" ({facts[slot][1]})" if facts[slot][1] else "") for slot in slots)))
        if node_id in facts:
            owner, role = facts[node_id]
            rows.append(("slot of", op_name(owner) + (f": {role}" if role else "")))
        if variable.graph:
            rows.append(("graph", f"graph {variable.graph} (another tf.Graph)"))
        why = [e.text for e in explain(trace) if e.subject == node_id]
        if node_id in marked:
            mark = marked[node_id]
            rows.insert(3, ("check", mark.tag or mark.kind.replace("_", " ")))
            why = ([mark.note] if mark.note else []) + why
        lines = [line for line in [variable.line, *(r.line for r in reuses)] if line]
        return Details(op_name(variable.name), rows, why, sorted(set(lines)))
    if node_id.startswith(CLUSTER_PREFIX) and node_id[len(CLUSTER_PREFIX):] in tree.nodes:
        path = node_id[len(CLUSTER_PREFIX):]
        node = tree.nodes[path]
        info = trace.scopes().get(path, {})
        inside = [v for v in tree.variables if v.startswith(path + "/")]
        kinds = " + ".join(k.replace("_", " ") for k in node.kinds) or "a path in names only"
        rows = [("scope", path), ("kind", kinds),
                ("requested", node.requested or path),
                ("first line", str(info["line"]) if info.get("line") else "unknown"),
                ("variables inside", str(len(inside)))]
        return Details(path, rows, [], [info["line"]] if info.get("line") else [])
    return None


def boxes_by_line(trace: Trace) -> dict[int, list[str]]:
    """Each snippet line's drawn variables, the ones it created or got back from
    get_variable: what to outline in the graph when the user points at that line in the
    editor (the browser follows the editor's cursor with this map)."""
    found: dict[int, dict[str, None]] = {}
    for graph, name, line in [(v.graph, v.name, v.line) for v in trace.variables] + \
            [(r.graph, r.name, r.line) for r in trace.reuses]:
        if line is not None:
            found.setdefault(line, {})[in_graph(graph, name)] = None
    return {line: list(boxes) for line, boxes in sorted(found.items())}
