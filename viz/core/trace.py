"""The Trace: plain, JSON-able record of one snippet run (no TensorFlow objects)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Union

from viz.core import tf2
from viz.core.names import REUSED, SCHEMA, TF1, TF2, in_graph, public
from viz.core.tf2 import (
    LayerEvent,
    TF2KeyEvent,
    TF2ReuseEvent,
    TF2VariableEvent,
    WeightsKeyEvent,
)

ReuseSetting = Union[bool, str]  # False, True or "AUTO_REUSE"


@dataclass(frozen=True)
class NameScopeEvent:
    """A ``tf.name_scope`` the snippet entered: the name asked for and the scope TF gave."""

    asked: str
    given: str
    requested: str
    line: int | None
    graph: int = 0
    kind: str = "name_scope"


@dataclass(frozen=True)
class VariableScopeEvent:
    """A ``tf.variable_scope`` entered by the snippet or by TF code it called (layers, slots)."""

    name: str
    requested: str
    asked: str | None
    reuse: ReuseSetting
    reuse_asked: ReuseSetting | None
    captured: bool
    default_name: str | None
    name_scope: str
    user: bool
    line: int | None
    graph: int = 0
    kind: str = "variable_scope"


@dataclass(frozen=True)
class ReuseVariablesEvent:
    """A ``scope.reuse_variables()`` call: from here on the scope returns existing variables."""

    scope: str
    line: int | None
    graph: int = 0
    kind: str = "reuse_variables"


@dataclass(frozen=True)
class VariableEvent:
    """A variable that was created, through any path (``tf.Variable``, ``get_variable``, layers)."""

    name: str
    requested: str
    status: str
    api: str
    via: str | None
    shape: list[int | None] | None
    dtype: str
    trainable: bool
    collections: list[str]
    initializer: str | None
    resource: bool
    name_scope: str
    variable_scope: str | None
    line: int | None
    graph: int = 0
    kind: str = "variable"


@dataclass(frozen=True)
class ReuseEvent:
    """A ``tf.get_variable`` call that returned an existing variable instead of creating one."""

    name: str
    requested: str
    name_scope: str
    variable_scope: str
    reuse: ReuseSetting
    via: str | None
    line: int | None
    graph: int = 0
    status: str = REUSED
    kind: str = "reuse"


Event = Union[NameScopeEvent, VariableScopeEvent, ReuseVariablesEvent, VariableEvent, ReuseEvent,
              TF2VariableEvent, TF2ReuseEvent, LayerEvent, TF2KeyEvent, WeightsKeyEvent]

_EVENT_TYPES: dict[str, type] = {
    cls.kind: cls  # type: ignore[attr-defined]
    for cls in (NameScopeEvent, VariableScopeEvent, ReuseVariablesEvent, VariableEvent, ReuseEvent,
                TF2VariableEvent, TF2ReuseEvent, LayerEvent, TF2KeyEvent, WeightsKeyEvent)
}
def event_from_dict(data: dict[str, Any]) -> Event:
    """Builds the event dataclass named by ``data["kind"]``, ignoring unknown keys."""
    cls = _EVENT_TYPES[data["kind"]]
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class ErrorInfo:
    """What stopped the run: the exception type, TF's message, and where in the snippet."""

    type: str
    message: str
    line: int | None = None
    column: int | None = None

    def describe(self) -> str:
        """One line for terminals: ``ValueError at line 12, column 5: ...``."""
        where = ""
        if self.line is not None:
            where = f" at line {self.line}"
            if self.column is not None:
                where += f", column {self.column}"
        return f"{self.type}{where}: {self.message}"


@dataclass(frozen=True)
class CheckpointKey:
    """One tensor a checkpoint holds, as TF's reader lists it.

    ``saved_as`` is, for a TF2 object-based checkpoint whose object graph could be read, the
    name the variable had when it was saved (what a TF1 ``Saver`` restores it by); None for
    a TF1 name-based checkpoint, where the key is that name.
    """

    key: str
    shape: list[int | None]
    dtype: str
    saved_as: str | None = None


@dataclass(frozen=True)
class Trace:
    """Everything one run produced, in the order it happened."""

    events: list[Event] = field(default_factory=list)
    error: ErrorInfo | None = None
    stdout: str = ""
    stderr: str = ""
    elapsed_ms: float = 0.0
    filename: str = "snippet.py"
    ops: list[str] = field(default_factory=list)
    ops_total: int = 0
    # The checkpoint the run was asked to read (None: none was), or why it could not be read.
    # Not part of to_dict: ``check-checkpoint`` reports keys in its own fields.
    checkpoint: list[CheckpointKey] | None = None
    checkpoint_error: str | None = None
    # TF2 mode: why the snippet's ckpt_root or save_weights_root could not be saved.
    root_error: str | None = None
    # "tf1" (compat.v1 graph mode) or "tf2" (eager TF2, with Keras 3 or tf-keras).
    mode: str = TF1
    keras: str | None = None
    # A run of notebook cells (see viz.core.cells): where each cell's printing starts in
    # stdout and stderr, one pair per cell begun. Not part of to_dict.
    cells: list[tuple[int, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def tf2_variables(self) -> list[TF2VariableEvent]:
        return [e for e in self.events if isinstance(e, TF2VariableEvent)]

    @property
    def tf2_reuses(self) -> list[TF2ReuseEvent]:
        return [e for e in self.events if isinstance(e, TF2ReuseEvent)]

    @property
    def layers(self) -> list[LayerEvent]:
        return [e for e in self.events if isinstance(e, LayerEvent)]

    @property
    def tf2_keys(self) -> list[TF2KeyEvent] | None:
        """The keys a checkpoint of the snippet's ``ckpt_root`` holds; None when the snippet
        designated no root (or it could not be saved: ``root_error`` says why). A saved
        root always has a key: the checkpoint's own ``save_counter``."""
        return [e for e in self.events if isinstance(e, TF2KeyEvent)] or None

    @property
    def variables(self) -> list[VariableEvent]:
        return [e for e in self.events if isinstance(e, VariableEvent)]

    @property
    def reuses(self) -> list[ReuseEvent]:
        return [e for e in self.events if isinstance(e, ReuseEvent)]

    def scopes(self) -> dict[str, dict[str, Any]]:
        """Every scope the run entered, keyed by full path, with its kinds and first line.

        A variable scope also opens a name scope for ops, usually at the same path; when the
        paths differ (``vs`` entered twice puts ops in ``vs_1``) both are listed. Scopes of
        another graph the snippet built are keyed ``(graph N)/path``.
        """
        scopes: dict[str, dict[str, Any]] = {}

        def add(path: str, kind: str, requested: str, line: int | None, graph: int) -> None:
            if not path:
                return
            entry = scopes.setdefault(in_graph(graph, path),
                                      {"kinds": [], "requested": requested, "line": line})
            if kind not in entry["kinds"]:
                entry["kinds"].append(kind)

        for event in self.events:
            if isinstance(event, NameScopeEvent):
                add(event.given, "name_scope", event.requested, event.line, event.graph)
            elif isinstance(event, VariableScopeEvent):
                add(event.name, "variable_scope", event.requested, event.line, event.graph)
                add(event.name_scope, "name_scope", event.requested, event.line, event.graph)
        return scopes

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``python -m viz trace --format json`` prints (schema 1)."""
        if self.mode == TF2:
            return tf2.to_dict(self)
        return {
            "schema": SCHEMA,
            "ok": self.ok,
            "error": asdict(self.error) if self.error else None,
            "variables": [public(v) for v in self.variables],
            "reuses": [public(r) for r in self.reuses],
            "events": [asdict(e) for e in self.events],
            "scopes": self.scopes(),
            "stdout": self.stdout,
            "stderr": self.stderr,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "filename": self.filename,
            "ops": self.ops,
            "ops_total": self.ops_total,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Trace:
        """Inverse of :meth:`to_dict` (the ``variables``/``reuses`` lists are derived)."""
        error = data.get("error")
        return cls(
            events=[event_from_dict(e) for e in data.get("events", [])],
            error=ErrorInfo(**error) if error else None,
            stdout=data.get("stdout", ""),
            stderr=data.get("stderr", ""),
            elapsed_ms=float(data.get("elapsed_ms", 0.0)),
            filename=data.get("filename", "snippet.py"),
            ops=list(data.get("ops", [])),
            ops_total=int(data.get("ops_total", 0)),
            mode=data.get("mode", TF1),
            keras=data.get("keras"),
        )
