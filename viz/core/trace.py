"""The Trace: plain, JSON-able record of one snippet run (no TensorFlow objects)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Union

SCHEMA = 1

CREATED = "created"
REUSED = "reused"
UNIQUIFIED = "uniquified"
STATUSES = (CREATED, REUSED, UNIQUIFIED)

def op_name(variable_name: str) -> str:
    """Strips the output index: ``nsc1_1/v4:0`` -> ``nsc1_1/v4``."""
    return variable_name.rsplit(":", 1)[0] if ":" in variable_name else variable_name


def small_count(text: str) -> int | None:
    """``text`` as a count when it is 1 to 9 ASCII digits, else None: ``str.isdigit`` also
    takes ``²`` and 5,000 digits, which ``int()`` then refuses (a ValueError in the page)."""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def parent_path(path: str) -> str:
    """The scope a path sits in: ``a/b/w`` -> ``a/b``; the root is ``""``."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


def shape_text(shape: list[int | None]) -> str:
    """``[5, 5, ?, 32]``: a variable's shape as people read it (? for an unknown size)."""
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def in_graph(graph: int, path: str) -> str:
    """A path made distinct across graphs: the run's own graph (0) keeps its paths, another
    ``tf.Graph`` the snippet built gets ``(graph N)/`` in front (no TF name holds a
    parenthesis, so it never meets a real scope)."""
    return path if graph == 0 else f"(graph {graph})/{path}" if path else f"(graph {graph})"


def join_scope(parent: str, name: str) -> str:
    """Joins scope paths the way TF does: an empty parent means the root."""
    return f"{parent}/{name}" if parent else name


def _numbered(asked: str, given: str) -> bool:
    """``given`` is ``asked`` or ``asked_N``: what TF's uniquifying does to one path part."""
    if given == asked:
        return True
    head, _, number = given.rpartition("_")
    return head == asked and number.isdigit()


_NUMBER = re.compile(r"_[0-9]+$")
# The end of a TF2 object-based checkpoint's key for a variable's value.
TF2_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"


def unnumbered(path: str) -> str:
    """A path without TF's ``_N`` numbers on its parts: ``dense_1/kernel`` -> ``dense/kernel``."""
    return "/".join(_NUMBER.sub("", part) for part in path.split("/"))


def object_path(key: str) -> str:
    """The attribute path a TF2 checkpoint key stands for: the key without
    ``/.ATTRIBUTES/VARIABLE_VALUE`` (any other key as it is)."""
    return key[:-len(TF2_SUFFIX)] if key.endswith(TF2_SUFFIX) else key


def lines_text(numbers: list[int | None]) -> str:
    """``line 4``, ``lines 2, 4 and 5`` or ``lines unknown``: the known lines, each once."""
    known = sorted({n for n in numbers if n is not None})
    if not known:
        return "lines unknown"
    return f"line {known[0]}" if len(known) == 1 else \
        "lines " + ", ".join(map(str, known[:-1])) + f" and {known[-1]}"


def variable_status(requested: str, name: str) -> str:
    """Returns ``uniquified`` when TF appended ``_N`` to the path asked for, to the name or
    to a scope on the way; a name that differs otherwise was chosen by the code itself (a
    custom getter that renames), so the variable is ``created``, under that name.

    Args:
        requested: the path the code asked for, scopes joined as written (``nsc1/v4``).
        name: the variable's final name (``nsc1_1/v4:0``).
    """
    given = op_name(name)
    if requested == given:
        return CREATED
    asked_parts, given_parts = requested.split("/"), given.split("/")
    if len(asked_parts) == len(given_parts) and all(
            _numbered(a, g) for a, g in zip(asked_parts, given_parts)):
        return UNIQUIFIED
    return CREATED


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


@dataclass(frozen=True)
class TF2VariableEvent:
    """A ``tf.Variable`` created in TF2 mode (eager, in a ``tf.function`` or a graph).

    ``name`` is the variable's ``.name``; ``path`` and ``keras_name`` are a Keras 3 weight's
    own two names (None for anything else); ``requested`` is the name scope and name the code
    asked for, which TF uniquifies only in graphs (``created_in`` tf.function or graph).
    """

    name: str
    requested: str
    status: str
    path: str | None
    keras_name: str | None
    shape: list[int | None] | None
    dtype: str
    trainable: bool
    created_in: str
    line: int | None
    # the snippet's outermost line on the stack: the statement that started this call
    call_line: int | None = None
    kind: str = "tf2_variable"


@dataclass(frozen=True)
class TF2ReuseEvent:
    """TF2 mode: a ``tf.compat.v1.get_variable`` that got an existing variable back from a
    TF1-style store (``track_tf1_style_variables``): ``variable`` is that variable's index
    among the run's TF2 variables (None if it was made before recording)."""

    name: str
    requested: str
    variable: int | None
    line: int | None
    kind: str = "tf2_reuse"


@dataclass(frozen=True)
class LayerEvent:
    """A Keras layer object the run constructed (models and the hidden InputLayer or
    Functional included): ``base`` is the name Keras's counter numbers (``dense``),
    ``counter`` which of the run's counters it was (Keras 3 keeps one per thread, tf-keras
    one per graph)."""

    name: str
    cls: str
    base: str
    auto_named: bool
    line: int | None
    counter: int = 0
    zero_based: bool = True
    kind: str = "layer"

    @property
    def taken(self) -> int:
        """How many auto-named objects took this counter before: 3 for ``dense_3`` (the
        first is ``dense``), 0 for ``input_1`` (a one-based counter, ``zero_based`` False)."""
        suffix = self.name[len(self.base) + 1:] if self.name.startswith(self.base + "_") else ""
        count = small_count(suffix)
        if not self.auto_named or count is None:
            return 0
        return count - (0 if self.zero_based else 1)

    @property
    def uniquified(self) -> bool:
        """Auto-named, and numbered because the counter had been taken: ``dense_3``."""
        return self.taken > 0


@dataclass(frozen=True)
class TF2KeyEvent:
    """A key ``tf.train.Checkpoint(root=ckpt_root)`` wrote: the TF2 variable it holds (its
    index among the run's TF2 variables, None for none of them, like ``save_counter``) and
    the object path from the root that holds it."""

    key: str
    shape: list[int | None]
    variable: int | None
    owner: str | None
    kind: str = "tf2_key"


@dataclass(frozen=True)
class WeightsKeyEvent:
    """A key ``save_weights_root.save_weights()`` wrote: an HDF5 dataset path of
    ``x.weights.h5`` under Keras 3 (format ``h5``), a TF-format key under tf-keras (``tf``)."""

    key: str
    shape: list[int | None]
    format: str
    kind: str = "weights_key"


Event = Union[NameScopeEvent, VariableScopeEvent, ReuseVariablesEvent, VariableEvent, ReuseEvent,
              TF2VariableEvent, TF2ReuseEvent, LayerEvent, TF2KeyEvent, WeightsKeyEvent]

_EVENT_TYPES: dict[str, type] = {
    cls.kind: cls  # type: ignore[attr-defined]
    for cls in (NameScopeEvent, VariableScopeEvent, ReuseVariablesEvent, VariableEvent, ReuseEvent,
                TF2VariableEvent, TF2ReuseEvent, LayerEvent, TF2KeyEvent, WeightsKeyEvent)
}
TF1, TF2 = "tf1", "tf2"
# Where the object-tree drawing of a TF2 run puts variables its ckpt_root does not save (no
# TF name holds a parenthesis, so it never meets a real path).
NOT_SAVED = "(not in the checkpoint)"
KERAS3, TF_KERAS = "keras3", "tf_keras"
# TF2 warnings about a variable (Trace.tf2_warnings).
DUPLICATE_NAME, UNTRACKED, RECREATED_PER_CALL = "duplicate_name", "untracked", "recreated_per_call"


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

    def tf2_holders(self) -> dict[int, TF2KeyEvent]:
        """The key of the ``ckpt_root`` checkpoint that holds each saved TF2 variable, by the
        variable's index among the run's TF2 variables."""
        return {key.variable: key for key in self.tf2_keys or [] if key.variable is not None}

    def tf2_warnings(self) -> list[list[str]]:
        """Per TF2 variable, in order: ``duplicate_name`` when another variable has the same
        ``.name``; ``recreated_per_call`` when the line that made it made one with the same
        name asked for, up to ``_N`` numbers (``dense_1/kernel`` after ``dense/kernel``), and
        the same Keras path before, in a call started by another statement: a function or
        module that creates its variables on every call; ``untracked`` when the snippet designated a
        ``ckpt_root`` and no key of its checkpoint holds the variable."""
        variables = self.tf2_variables
        names = Counter(v.name for v in variables)
        keys = self.tf2_keys
        held = self.tf2_holders()
        seen: dict[tuple[int | None, str, str | None], set[int | None]] = {}
        warnings = []
        for variable in variables:
            found = [DUPLICATE_NAME] if names[variable.name] > 1 else []
            key = (variable.line, unnumbered(variable.requested), variable.path)
            calls = seen.setdefault(key, set())
            if variable.line is not None and calls - {variable.call_line}:
                found.append(RECREATED_PER_CALL)
            calls.add(variable.call_line)
            if keys is not None and len(warnings) not in held:
                found.append(UNTRACKED)
            warnings.append(found)
        return warnings

    def tf2_records(self) -> list[dict[str, Any]]:
        """Each TF2 variable as the JSON and the tables give it: its event's public fields,
        the checkpoint key that holds it and the owner path (or None), its warnings."""
        holders = self.tf2_holders()
        records = []
        for index, (variable, warnings) in enumerate(zip(self.tf2_variables,
                                                         self.tf2_warnings())):
            data = _public(variable)
            data.pop("call_line")
            holder = holders.get(index)
            data.update(owner=holder.owner if holder else None,
                        checkpoint_key=holder.key if holder else None, warnings=warnings)
            records.append(data)
        return records

    def tf2_box_names(self) -> list[str]:
        """Each TF2 variable's box in the drawing, in order. With a ``ckpt_root``, the
        drawing is the object tree the checkpoint sees: a saved variable's box is its object
        path (``encoder/dense/_kernel``), the others sit in ``(not in the checkpoint)``.
        Without one, a box is the variable's ``.name``. A repeated name is numbered
        (``Variable (2):0``) so that each variable has its own box."""
        keys = self.tf2_keys
        owners = {index: key.owner for index, key in self.tf2_holders().items() if key.owner}
        seen: Counter[str] = Counter()
        names = []
        for index, variable in enumerate(self.tf2_variables):
            if index in owners:
                names.append(owners[index])
                continue
            name = variable.name if keys is None else f"{NOT_SAVED}/{variable.name}"
            seen[name] += 1
            if seen[name] > 1:
                name = f"{op_name(name)} ({seen[name]}){name[len(op_name(name)):]}"
            names.append(name)
        return names

    def earlier_layers(self, layer: LayerEvent) -> list[LayerEvent]:
        """The auto-named layers before ``layer`` that took the same counter: why it is
        ``dense_3`` (explicit names take no number). They are the last 3 such layers, not
        all: ``clear_session()`` starts the counter again and leaves no other trace."""
        count = layer.taken
        layers = self.layers
        before = layers[:next(i for i, other in enumerate(layers) if other is layer)]
        same = [other for other in before if other.auto_named and other.base == layer.base
                and other.counter == layer.counter]
        return same[-count:] if count else []

    def earlier_text(self, layer: LayerEvent) -> str:
        """The layers that took ``layer``'s counter, in words: all of them when few, else
        the first two, the last, and how many at which lines (``dense_26`` has 26)."""
        earlier = self.earlier_layers(layer)
        if not earlier:
            return "earlier objects"
        named = [f"{e.name} (line {e.line if e.line is not None else '?'})" for e in earlier]
        if len(named) <= 4:
            return ", ".join(named)
        return (f"{named[0]}, {named[1]}, ... {named[-1]}: {len(named)} layers, made at "
                f"{lines_text([e.line for e in earlier])}")

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
            return self._tf2_dict()
        return {
            "schema": SCHEMA,
            "ok": self.ok,
            "error": asdict(self.error) if self.error else None,
            "variables": [_public(v) for v in self.variables],
            "reuses": [_public(r) for r in self.reuses],
            "events": [asdict(e) for e in self.events],
            "scopes": self.scopes(),
            "stdout": self.stdout,
            "stderr": self.stderr,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "filename": self.filename,
            "ops": self.ops,
            "ops_total": self.ops_total,
        }

    def _tf2_dict(self) -> dict[str, Any]:
        """TF2 mode's JSON: variables with their three names, where they were made and
        warnings; every Keras layer with why it has its number."""
        by_index = dict(enumerate(self.tf2_records()))
        variables = []
        # in event order: each variable where it was made, each reuse where it was asked for
        count = 0
        for event in self.events:
            if isinstance(event, TF2VariableEvent):
                variables.append(by_index[count])
                count += 1
            elif isinstance(event, TF2ReuseEvent):
                reused = dict(by_index.get(event.variable, {})) if event.variable is not None \
                    else {}
                reused.update(name=event.name, requested=event.requested, status=REUSED,
                              line=event.line, warnings=[])
                variables.append(reused)
        keys = self.tf2_keys
        layers = []
        for layer in self.layers:
            data = _public(layer)
            data["class"] = data.pop("cls")
            del data["counter"], data["zero_based"]  # they matter only to "earlier"
            data["uniquified"] = layer.uniquified
            data["earlier"] = [{"name": e.name, "line": e.line}
                               for e in self.earlier_layers(layer)]
            layers.append(data)
        return {
            "schema": SCHEMA,
            "mode": TF2,
            "keras": self.keras,
            "ok": self.ok,
            "error": asdict(self.error) if self.error else None,
            "variables": variables,
            "layers": layers,
            "checkpoint": None if keys is None else [{"key": k.key, "shape": k.shape}
                                                     for k in keys],
            "save_weights": self._save_weights(),
            # a variable's TF1-style name beside the key that saves it (the migration map of
            # track_tf1_style_variables code)
            "tf1_to_tf2": None if keys is None else [
                {"tf1_name": op_name(v["name"]), "checkpoint_key": v["checkpoint_key"]}
                for v in variables if v["checkpoint_key"] is not None and v["status"] != REUSED],
            "checkpoint_error": self.root_error,
            "events": [asdict(e) for e in self.events],
            "stdout": self.stdout,
            "stderr": self.stderr,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "filename": self.filename,
        }

    def _save_weights(self) -> dict[str, Any] | None:
        keys = [e for e in self.events if isinstance(e, WeightsKeyEvent)]
        if not keys:
            return None
        return {"format": keys[0].format,
                "keys": [{"key": k.key, "shape": k.shape} for k in keys]}

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


def _public(event: Event) -> dict[str, Any]:
    data = asdict(event)
    data.pop("kind")
    return data
