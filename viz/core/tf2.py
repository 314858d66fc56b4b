"""TF2 mode's own room: the events a TF2 run records (variables, Keras layers, checkpoint
keys) and what is worked out from them: each variable's warnings, the checkpoint key that
holds it, its box in the drawing, why a layer is numbered, and the JSON a TF2 run prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from viz.core.names import (
    REUSED,
    SCHEMA,
    TF2,
    lines_text,
    op_name,
    public,
    small_count,
    unnumbered,
)

if TYPE_CHECKING:  # a trace holds these events: the Trace type is only named here
    from viz.core.trace import Trace

# Where the object-tree drawing of a TF2 run puts variables its ckpt_root does not save (no
# TF name holds a parenthesis, so it never meets a real path).
NOT_SAVED = "(not in the checkpoint)"
# TF2 warnings about a variable (:func:`variable_warnings`).
DUPLICATE_NAME, UNTRACKED, RECREATED_PER_CALL = "duplicate_name", "untracked", "recreated_per_call"


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


def key_holders(trace: Trace) -> dict[int, TF2KeyEvent]:
    """The key of the ``ckpt_root`` checkpoint that holds each saved TF2 variable, by the
    variable's index among the run's TF2 variables."""
    return {key.variable: key for key in trace.tf2_keys or [] if key.variable is not None}

def variable_warnings(trace: Trace) -> list[list[str]]:
    """Per TF2 variable, in order: ``duplicate_name`` when another variable has the same
    ``.name``; ``recreated_per_call`` when the line that made it made one with the same
    name asked for, up to ``_N`` numbers (``dense_1/kernel`` after ``dense/kernel``), and
    the same Keras path before, in a call started by another statement: a function or
    module that creates its variables on every call; ``untracked`` when the snippet designated a
    ``ckpt_root`` and no key of its checkpoint holds the variable."""
    variables = trace.tf2_variables
    names = Counter(v.name for v in variables)
    keys = trace.tf2_keys
    held = key_holders(trace)
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

def variable_records(trace: Trace) -> list[dict[str, Any]]:
    """Each TF2 variable as the JSON and the tables give it: its event's public fields,
    the checkpoint key that holds it and the owner path (or None), its warnings."""
    holders = key_holders(trace)
    records = []
    for index, (variable, warnings) in enumerate(zip(trace.tf2_variables,
                                                     variable_warnings(trace))):
        data = public(variable)
        data.pop("call_line")
        holder = holders.get(index)
        data.update(owner=holder.owner if holder else None,
                    checkpoint_key=holder.key if holder else None, warnings=warnings)
        records.append(data)
    return records

def box_names(trace: Trace) -> list[str]:
    """Each TF2 variable's box in the drawing, in order. With a ``ckpt_root``, the
    drawing is the object tree the checkpoint sees: a saved variable's box is its object
    path (``encoder/dense/_kernel``), the others sit in ``(not in the checkpoint)``.
    Without one, a box is the variable's ``.name``. A repeated name is numbered
    (``Variable (2):0``) so that each variable has its own box."""
    keys = trace.tf2_keys
    owners = {index: key.owner for index, key in key_holders(trace).items() if key.owner}
    seen: Counter[str] = Counter()
    names = []
    for index, variable in enumerate(trace.tf2_variables):
        if index in owners:
            names.append(owners[index])
            continue
        name = variable.name if keys is None else f"{NOT_SAVED}/{variable.name}"
        seen[name] += 1
        if seen[name] > 1:
            name = f"{op_name(name)} ({seen[name]}){name[len(op_name(name)):]}"
        names.append(name)
    return names

def earlier_layers(trace: Trace, layer: LayerEvent) -> list[LayerEvent]:
    """The auto-named layers before ``layer`` that took the same counter: why it is
    ``dense_3`` (explicit names take no number). They are the last 3 such layers, not
    all: ``clear_session()`` starts the counter again and leaves no other trace."""
    count = layer.taken
    layers = trace.layers
    before = layers[:next(i for i, other in enumerate(layers) if other is layer)]
    same = [other for other in before if other.auto_named and other.base == layer.base
            and other.counter == layer.counter]
    return same[-count:] if count else []

def earlier_text(trace: Trace, layer: LayerEvent) -> str:
    """The layers that took ``layer``'s counter, in words: all of them when few, else
    the first two, the last, and how many at which lines (``dense_26`` has 26)."""
    earlier = earlier_layers(trace, layer)
    if not earlier:
        return "earlier objects"
    named = [f"{e.name} (line {e.line if e.line is not None else '?'})" for e in earlier]
    if len(named) <= 4:
        return ", ".join(named)
    return (f"{named[0]}, {named[1]}, ... {named[-1]}: {len(named)} layers, made at "
            f"{lines_text([e.line for e in earlier])}")

def to_dict(trace: Trace) -> dict[str, Any]:
    """TF2 mode's JSON: variables with their three names, where they were made and
    warnings; every Keras layer with why it has its number."""
    by_index = dict(enumerate(variable_records(trace)))
    variables = []
    # in event order: each variable where it was made, each reuse where it was asked for
    count = 0
    for event in trace.events:
        if isinstance(event, TF2VariableEvent):
            variables.append(by_index[count])
            count += 1
        elif isinstance(event, TF2ReuseEvent):
            reused = dict(by_index.get(event.variable, {})) if event.variable is not None \
                else {}
            reused.update(name=event.name, requested=event.requested, status=REUSED,
                          line=event.line, warnings=[])
            variables.append(reused)
    keys = trace.tf2_keys
    layers = []
    for layer in trace.layers:
        data = public(layer)
        data["class"] = data.pop("cls")
        del data["counter"], data["zero_based"]  # they matter only to "earlier"
        data["uniquified"] = layer.uniquified
        data["earlier"] = [{"name": e.name, "line": e.line}
                           for e in earlier_layers(trace, layer)]
        layers.append(data)
    return {
        "schema": SCHEMA,
        "mode": TF2,
        "keras": trace.keras,
        "ok": trace.ok,
        "error": asdict(trace.error) if trace.error else None,
        "variables": variables,
        "layers": layers,
        "checkpoint": None if keys is None else [{"key": k.key, "shape": k.shape}
                                                 for k in keys],
        "save_weights": _save_weights(trace),
        # a variable's TF1-style name beside the key that saves it (the migration map of
        # track_tf1_style_variables code)
        "tf1_to_tf2": None if keys is None else [
            {"tf1_name": op_name(v["name"]), "checkpoint_key": v["checkpoint_key"]}
            for v in variables if v["checkpoint_key"] is not None and v["status"] != REUSED],
        "checkpoint_error": trace.root_error,
        "events": [asdict(e) for e in trace.events],
        "stdout": trace.stdout,
        "stderr": trace.stderr,
        "elapsed_ms": round(trace.elapsed_ms, 1),
        "filename": trace.filename,
    }

def _save_weights(trace: Trace) -> dict[str, Any] | None:
    keys = [e for e in trace.events if isinstance(e, WeightsKeyEvent)]
    if not keys:
        return None
    return {"format": keys[0].format,
            "keys": [{"key": k.key, "shape": k.shape} for k in keys]}
