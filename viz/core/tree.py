"""The scope tree: name scopes and variable scopes as nested nodes, variables as leaves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from viz.core import tf2
from viz.core.names import TF1, in_graph, op_name, parent_path
from viz.core.trace import ReuseEvent, Trace, VariableEvent

ROOT = ""
NAME_SCOPE = "name_scope"
VARIABLE_SCOPE = "variable_scope"


@dataclass
class ScopeNode:
    """One scope path. ``kinds`` is empty for a path only seen inside a variable's name."""

    id: str
    kinds: list[str] = field(default_factory=list)
    requested: str | None = None
    children: list[str] = field(default_factory=list)
    variables: list[str] = field(default_factory=list)
    ops: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.id.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class ReuseLink:
    """``get_variable`` calls from a name scope that returned an existing variable."""

    scope: str
    variable: str
    lines: tuple[int | None, ...]


@dataclass
class ScopeTree:
    """Scopes keyed by full path (the root is ``""``), variables keyed by full name; those of
    another graph the snippet built under ``(graph N)/`` (see :func:`viz.core.trace.in_graph`)."""

    nodes: dict[str, ScopeNode]
    variables: dict[str, VariableEvent]
    reuses: list[ReuseLink]
    # variable -> how many later get_variable calls returned it
    reused: dict[str, int] = field(default_factory=dict)

    def reuse_count(self, variable: str) -> int:
        """How many later get_variable calls returned this variable."""
        return self.reused.get(variable, 0)


def tf2_as_scopes(trace: Trace) -> Trace:
    """A TF2 trace in the shape the scope tree draws, each variable's box named as
    :meth:`Trace.tf2_box_names` says: in the object tree from ``ckpt_root`` (the attribute
    path that saves it) when the snippet designated one, else under the name scopes of its
    ``.name`` (a Keras 3 weight's ``sequential/dense/kernel``)."""
    events: list = []
    boxes = tf2.box_names(trace)
    for variable, name in zip(trace.tf2_variables, boxes):
        api = "Keras weight" if variable.path is not None else "tf.Variable"
        events.append(VariableEvent(
            name=name, requested=variable.requested, status=variable.status, api=api,
            via=variable.created_in, shape=variable.shape, dtype=variable.dtype,
            trainable=variable.trainable, collections=[], initializer=None, resource=True,
            name_scope=parent_path(op_name(variable.name)), variable_scope=None,
            line=variable.line))
    events += [ReuseEvent(name=boxes[reuse.variable], requested=reuse.requested, name_scope="",
                          variable_scope=parent_path(op_name(boxes[reuse.variable])),
                          reuse=True, via=None, line=reuse.line)
               for reuse in trace.tf2_reuses if reuse.variable is not None]
    return replace(trace, events=events, mode=TF1)


def build_tree(trace: Trace, include_ops: bool = False) -> ScopeTree:
    """Builds the scope tree from a trace; node order follows the order of events.

    Args:
        include_ops: also place the graph's ops (``trace.ops``) in their name scopes, adding
            the op-only name scopes they need (``random_normal``, ``gradients``...).
    """
    nodes: dict[str, ScopeNode] = {ROOT: ScopeNode(ROOT)}

    def ensure(path: str) -> ScopeNode:
        """The node of ``path``, made with its missing ancestors (a loop, not recursion:
        1,000 nested scopes are legal TF)."""
        missing = []
        while path not in nodes:
            missing.append(path)
            path = parent_path(path)
        for child in reversed(missing):
            nodes[child] = ScopeNode(child)
            nodes[parent_path(child)].children.append(child)
        return nodes[missing[0] if missing else path]

    def mark(path: str, kind: str, requested: str) -> None:
        if not path:
            return
        node = ensure(path)
        if kind not in node.kinds:
            node.kinds.append(kind)
        if node.requested is None:
            node.requested = requested

    for path, info in trace.scopes().items():
        for kind in info["kinds"]:
            mark(path, kind, info["requested"])
    variables: dict[str, VariableEvent] = {}
    for variable in trace.variables:
        name = in_graph(variable.graph, variable.name)
        variables[name] = variable
        ensure(parent_path(op_name(name))).variables.append(name)
    grouped: dict[tuple[str, str], list[int | None]] = {}
    for reuse in trace.reuses:
        scope = in_graph(reuse.graph, reuse.name_scope)
        ensure(scope)
        name = in_graph(reuse.graph, reuse.name)
        target = name if name in variables else op_name(name)
        if target not in variables:
            ensure(target)
        grouped.setdefault((scope, target), []).append(reuse.line)
    links = [ReuseLink(scope, target, tuple(lines)) for (scope, target), lines in grouped.items()]
    if include_ops:
        for op in trace.ops:
            ensure(parent_path(op)).ops.append(op)
    reused: Counter[str] = Counter()
    for link in links:
        reused[link.variable] += len(link.lines)
    return ScopeTree(nodes=nodes, variables=variables, reuses=links, reused=dict(reused))
