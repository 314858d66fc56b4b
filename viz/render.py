"""Pure rendering: scope tree -> DOT text. Knows nothing of files, processes, Streamlit or TF."""

from __future__ import annotations

from dataclasses import dataclass

from graphviz.quoting import quote

from viz.trace import CREATED, REUSED, UNIQUIFIED, VariableEvent, op_name
from viz.tree import NAME_SCOPE, ROOT, VARIABLE_SCOPE, ScopeNode, ScopeTree

STATUS_COLORS = {CREATED: "#b8e186", REUSED: "#92c5de", UNIQUIFIED: "#fdb863"}
ROOT_ANCHOR = "(root)"


@dataclass(frozen=True)
class RenderOptions:
    """How the tree is drawn. ``rankdir`` is graphviz's layout direction (LR, TB, RL, BT)."""

    rankdir: str = "LR"


def _q(text: str) -> str:
    """Quotes a DOT id or label; always a quoted string so that no name reads as HTML."""
    quoted = quote(text)
    return quoted if quoted.startswith('"') else f'"{quoted}"'


def _attrs(**attrs: str) -> str:
    return "[" + " ".join(f"{key}={_q(value)}" for key, value in attrs.items()) + "]"


def _shape(shape: list[int | None] | None) -> str:
    if shape is None:
        return "<unknown>"
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def _variable_label(variable: VariableEvent) -> str:
    given = op_name(variable.name)
    head = given.rsplit("/", 1)[-1]
    if variable.status == UNIQUIFIED:
        head = f"{variable.requested} -> {given}"
    return f"{head}\\n{_shape(variable.shape)} {variable.dtype}"


def _variable_tooltip(variable: VariableEvent, status: str) -> str:
    api = variable.api + (f" via {variable.via}" if variable.via else "")
    line = f"line {variable.line}" if variable.line is not None else "line ?"
    return (f"{variable.name}\\nshape {_shape(variable.shape)}, {variable.dtype}\\n"
            f"{api}, {line}\\nstatus: {status}")


def _cluster_style(node: ScopeNode) -> dict[str, str]:
    if VARIABLE_SCOPE in node.kinds:
        kind = "variable scope" + (" + name scope" if NAME_SCOPE in node.kinds else "")
        return {"label": f"{node.name}\\n({kind})", "style": "rounded,filled",
                "fillcolor": "#eef3fa", "color": "#2166ac", "penwidth": "1.6",
                "tooltip": f"{kind} {node.id}"}
    if NAME_SCOPE in node.kinds:
        return {"label": f"{node.name}\\n(name scope)", "style": "rounded,dashed",
                "color": "#666666", "tooltip": f"name scope {node.id}"}
    return {"label": node.name, "style": "dotted", "color": "#999999",
            "tooltip": f"path {node.id}"}


def _cluster_id(path: str) -> str:
    return f"cluster_{path}"


def to_dot(tree: ScopeTree, options: RenderOptions = RenderOptions()) -> str:
    """Draws scopes as clusters, variables as nodes coloured by status, reuses as edges.

    Node ids are full scope paths and variable names, so the text is deterministic.
    """
    out = [
        "digraph scopes {",
        f"  graph {_attrs(rankdir=options.rankdir, compound='true', fontname='Helvetica', nodesep='0.25', ranksep='0.4')};",
        f"  node {_attrs(fontname='Helvetica', fontsize='11')};",
        f"  edge {_attrs(fontname='Helvetica', fontsize='9')};",
    ]

    def emit_variables(node: ScopeNode, indent: str) -> None:
        for name in node.variables:
            variable = tree.variables[name]
            status = tree.status(name)
            out.append(indent + _q(name) + " " + _attrs(
                label=_variable_label(variable), shape="box", style="rounded,filled",
                fillcolor=STATUS_COLORS[status], tooltip=_variable_tooltip(variable, status)) + ";")

    def emit_cluster(node: ScopeNode, indent: str) -> None:
        out.append(f"{indent}subgraph {_q(_cluster_id(node.id))} {{")
        for key, value in _cluster_style(node).items():
            out.append(f"{indent}  {key}={_q(value)};")
        out.append(indent + "  " + _q(node.id) + " " + _attrs(
            shape="point", width="0.05", color="#666666", tooltip=node.id) + ";")
        emit_variables(node, indent + "  ")
        for child in node.children:
            emit_cluster(tree.nodes[child], indent + "  ")
        out.append(f"{indent}}}")

    root = tree.nodes[ROOT]
    emit_variables(root, "  ")
    for child in root.children:
        emit_cluster(tree.nodes[child], "  ")
    if any(link.scope == ROOT for link in tree.reuses):
        out.append("  " + _q(ROOT_ANCHOR) + " " + _attrs(shape="plaintext", label="(root)") + ";")
    for link in tree.reuses:
        lines = ", ".join(str(line) for line in link.lines if line is not None)
        attrs = {"style": "dashed", "color": "#2166ac", "label": f"reuse (line {lines})",
                 "tooltip": f"get_variable at line {lines} in name scope "
                            f"{link.scope or '(root)'} returned {link.variable}"}
        if link.scope != ROOT:
            attrs["ltail"] = _cluster_id(link.scope)
        if link.variable not in tree.variables:
            attrs["lhead"] = _cluster_id(link.variable)
        source = link.scope if link.scope != ROOT else ROOT_ANCHOR
        out.append(f"  {_q(source)} -> {_q(link.variable)} {_attrs(**attrs)};")
    out.append("}")
    return "\n".join(out) + "\n"
