"""TF2 mode's hooks: every ``tf.Variable`` made (eager, in a ``tf.function``, in a graph) with
a Keras 3 weight's own names, and every Keras layer object with how it got its name.

As in :mod:`viz.backend.tracer`, the hooks are installed once in the TF2 zygote and do
nothing until a :class:`Recorder` is active in a forked child; events leave as plain dicts.
The zygote imports TF and Keras but never runs an eager op: a child forked after one
deadlocks in its own first op (TF's thread pools do not survive a fork).
"""

from __future__ import annotations

import sys
import threading
from dataclasses import asdict
from types import FrameType
from typing import Any, Callable

from tensorflow.python.eager import context
from tensorflow.python.framework import ops
from tensorflow.python.framework.func_graph import FuncGraph
from tensorflow.python.ops import variable_v1, variables

from viz.backend import tracer
from viz.core.names import join_scope, op_name, variable_status
from viz.core.tf2 import LayerEvent, TF2ReuseEvent, TF2VariableEvent

Emit = Callable[[dict[str, Any]], None]
# How far up from tf.Variable(...) a Keras 3 weight's own frame may be (its _initialize).
_KERAS_FRAMES = 12

_recorder: Recorder | None = None


class Recorder:
    """Per-run state: where the snippet is, and which calls are already being recorded."""

    def __init__(self, filename: str, emit: Emit) -> None:
        self.filename = filename
        self.emit = emit
        self.calls = threading.local()
        # Layers recorded, kept alive so that a new layer never has a dead one's id.
        self.layers_seen: dict[int, Any] = {}
        # The tf.Variables made, in the order of their events (kept alive, so that ids stay
        # theirs), and each one's position by id: checkpoint keys and reuses point here.
        self.created: list[Any] = []
        self.positions: dict[int, int] = {}
        # A graph's name scope TF gave -> the path asked for ("block_1" -> "block"): graphs
        # uniquify re-entered scopes, eager TF does not.
        self.scope_requested: dict[str, str] = {"": ""}
        # What holds a Keras name counter (a thread, a graph; kept alive, so never confused
        # with a later one at the same address) -> its number in this run.
        self.counters: dict[Any, int] = {}

    def counter(self, holder: Any) -> int:
        """The number of the counter a layer's auto name came from, in order of first use."""
        return self.counters.setdefault(holder, len(self.counters))

    def line(self, frame: FrameType | None) -> int | None:
        """The line of the innermost snippet frame (calls in the snippet's functions count)."""
        while frame is not None:
            line = tracer.snippet_line(frame, self.filename)
            if line is not None:
                return line
            frame = frame.f_back
        return None

    def call_line(self, frame: FrameType | None) -> int | None:
        """The line of the outermost snippet frame: the statement that started the call."""
        found = None
        while frame is not None:
            found = tracer.snippet_line(frame, self.filename) or found
            frame = frame.f_back
        return found

    def depth(self) -> int:
        return getattr(self.calls, "depth", 0)

    def enter(self) -> None:
        self.calls.depth = self.depth() + 1

    def leave(self) -> None:
        self.calls.depth = self.depth() - 1


def _created_in() -> str:
    if context.executing_eagerly():
        return "eager"
    return "tf.function" if isinstance(ops.get_default_graph(), FuncGraph) else "graph"


def _keras_weight(frame: FrameType | None, weight_class: type | None) -> Any:
    """The Keras 3 weight whose ``_initialize`` is making this tf.Variable, if any."""
    for _ in range(_KERAS_FRAMES):
        if frame is None or weight_class is None:
            return None
        owner = frame.f_locals.get("self")
        if isinstance(owner, weight_class):
            return owner
        frame = frame.f_back
    return None


def _shape(variable: Any) -> list[int | None] | None:
    try:
        return variable.shape.as_list()
    except ValueError:  # unknown rank
        return None


def install(keras_flavour: str) -> None:
    """Patches ``tf.Variable`` creation and Keras layer construction once, in the zygote.

    Args:
        keras_flavour: ``keras3`` (hook Keras 3's layers and weights) or ``tf_keras``.
    """
    tracer.hide_own_frames()  # TF's error messages list the snippet's lines, not ours
    _hook_graph_name_scopes()
    tracer.hook_autograph_source_maps()
    weight_class = None
    if keras_flavour == "keras3":
        from keras.src.backend.common.variables import Variable as KerasVariable

        weight_class = KerasVariable
    # tf.Variable and, for tf-keras's add_weight, tf.compat.v1.Variable
    for cls in (variables.Variable, variable_v1.VariableV1):
        cls._variable_call = classmethod(_recording(
            cls.__dict__["_variable_call"].__func__, weight_class))
    if keras_flavour == "keras3":
        _hook_keras3_layers()
    else:
        _hook_tf_keras_layers()
    _hook_store_lookups()


class _NameScope:
    """A graph's name scope context that notes which path the code asked for."""

    def __init__(self, inner: Any, name: Any) -> None:
        self.inner = inner
        self.name = name

    def __enter__(self) -> Any:
        given = self.inner.__enter__()
        recorder = _recorder
        if recorder is not None and isinstance(given, str) and given and \
                isinstance(self.name, str) and self.name and not self.name.endswith("/"):
            path = given.rstrip("/")
            parent = path.rsplit("/", 1)[0] if "/" in path else ""
            recorder.scope_requested.setdefault(path, join_scope(
                recorder.scope_requested.get(parent, parent), self.name))
        return given

    def __exit__(self, *exc: Any) -> Any:
        return self.inner.__exit__(*exc)


def _hook_graph_name_scopes() -> None:
    original = ops.Graph.name_scope

    def name_scope(self: ops.Graph, name: Any) -> Any:
        return _NameScope(original(self, name), name)

    ops.Graph.name_scope = name_scope


def _hook_store_lookups() -> None:
    """A TF1-style store (``track_tf1_style_variables``: TF's own, or tf-keras's shim, which
    a Keras 3 snippet may import for a tf.Module) that hands back a variable it holds:
    ``tf.compat.v1.get_variable`` reused it."""
    from tensorflow.python.ops import variable_scope
    from tf_keras.src.legacy_tf_layers import variable_scope_shim

    for store in (variable_scope._VariableStore, variable_scope_shim._EagerVariableStore):
        store._get_single_variable = _reporting_reuse(store._get_single_variable)


def _reporting_reuse(original: Callable[..., Any]) -> Callable[..., Any]:
    def lookup(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        recorder = _recorder
        existed = recorder is not None and name in getattr(self, "_vars", {})
        found = original(self, name, *args, **kwargs)
        if existed and recorder is not None and not recorder.depth():
            index = recorder.positions.get(id(found))
            recorder.emit(asdict(TF2ReuseEvent(name=found.name, requested=name,
                                               variable=index,
                                               line=recorder.line(sys._getframe(1)))))
        return found

    return lookup


def _recording(original: Callable[..., Any], weight_class: type | None) -> Callable[..., Any]:
    """``_variable_call`` recording the variable it makes. It returns None for a subclass
    constructed directly (the metaclass then builds it): nothing to record then."""

    def variable_call(klass: Any, *args: Any, **kwargs: Any) -> Any:
        recorder = _recorder
        if recorder is None or recorder.depth():
            return original(klass, *args, **kwargs)
        name = kwargs.get("name", args[4] if len(args) > 4 else None)
        asked = name if isinstance(name, str) and name else "Variable"
        scope = ops.get_name_scope()
        requested = asked[:-1] if asked.endswith("/") else join_scope(
            recorder.scope_requested.get(scope, scope), asked)
        frame = sys._getframe(1)
        line = recorder.line(frame)
        weight = _keras_weight(frame, weight_class)
        created_in = _created_in()
        recorder.enter()
        try:
            variable = original(klass, *args, **kwargs)
        finally:
            recorder.leave()
        if variable is None:
            return None
        given = op_name(variable.name)
        event = TF2VariableEvent(
            name=variable.name, requested=requested,
            status=variable_status(requested, given) if created_in != "eager" else "created",
            path=getattr(weight, "path", None), keras_name=getattr(weight, "name", None),
            shape=_shape(variable), dtype=variable.dtype.base_dtype.name,
            trainable=bool(variable.trainable), created_in=created_in, line=line,
            call_line=recorder.call_line(frame))
        recorder.positions[id(variable)] = len(recorder.created)
        recorder.created.append(variable)
        recorder.emit(asdict(event))
        return variable

    return variable_call


def _record_layer(layer: Any, asked: Any, base: str, frame: FrameType | None,
                  holder: Any, zero_based: bool = True) -> None:
    """Notes a layer; ``holder`` is what keeps the counter its auto name came from."""
    recorder = _recorder
    if recorder is None or id(layer) in recorder.layers_seen:
        return
    recorder.layers_seen[id(layer)] = layer
    event = LayerEvent(name=str(layer.name), cls=type(layer).__name__, base=base,
                       auto_named=asked is None, line=recorder.line(frame),
                       counter=recorder.counter(holder), zero_based=zero_based)
    recorder.emit(asdict(event))


def _hook_keras3_layers() -> None:
    """Keras 3 names every Operation in ``Operation.__init__``: an auto name from the
    snake-cased class name and a per-prefix counter, an explicit name as given. The
    counters are Keras's global state, which is per thread."""
    from keras.src.layers.layer import Layer
    from keras.src.ops.operation import Operation
    from keras.src.utils.naming import to_snake_case

    original = Operation.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if _recorder is not None and isinstance(self, Layer):
            asked = kwargs.get("name", args[0] if args else None)
            _record_layer(self, asked, to_snake_case(type(self).__name__),
                          sys._getframe(1), threading.current_thread())

    Operation.__init__ = init


class _AutoName(threading.local):
    """The name tf-keras's counters gave last in this thread, for the layer being named."""

    name: str | None = None
    base = ""
    zero_based = True
    holder: Any = None


def _hook_tf_keras_layers() -> None:
    """tf-keras has two counters: ``unique_object_name`` (per default graph: layers,
    models, TF1 layers) and ``get_uid`` (per Keras graph: ``input_1``). A layer's
    ``_init_set_name`` (v2, v1 and Functional each have one) takes a name from one of
    them or the code's; what the counters gave last says which."""
    from tf_keras.src import backend
    from tf_keras.src.engine import base_layer, base_layer_v1, functional
    from tf_keras.src.legacy_tf_layers import base as legacy_base
    from tf_keras.src.utils.generic_utils import to_snake_case

    given = _AutoName()
    unique_object_name, get_uid = backend.unique_object_name, backend.get_uid

    def counted_name(name: str, *args: Any, **kwargs: Any) -> str:
        result = unique_object_name(name, *args, **kwargs)
        given.name, given.base, given.holder = result, name, ops.get_default_graph()
        given.zero_based = bool(kwargs.get("zero_based", args[3] if len(args) > 3 else False))
        return result

    def counted_uid(prefix: str = "") -> int:
        uid = get_uid(prefix)
        given.name, given.base, given.holder = f"{prefix}_{uid}", prefix, backend.get_graph()
        given.zero_based = False
        return uid

    backend.unique_object_name, backend.get_uid = counted_name, counted_uid
    for cls in (base_layer.Layer, base_layer_v1.Layer, functional.Functional,
                legacy_base.Layer):
        cls._init_set_name = _naming(cls.__dict__["_init_set_name"], given, to_snake_case)


def _naming(original: Callable[..., None], given: _AutoName,
            to_snake_case: Callable[[str], str]) -> Callable[..., None]:
    def init_set_name(self: Any, name: Any, *args: Any, **kwargs: Any) -> None:
        original(self, name, *args, **kwargs)
        if _recorder is None:
            return
        frame = sys._getframe(1)
        if given.name is not None and given.name == self.name:  # InputLayer names itself
            given.name = None
            _record_layer(self, None, given.base, frame, given.holder, given.zero_based)
        else:
            _record_layer(self, name, to_snake_case(type(self).__name__), frame, None)

    return init_set_name


def start(filename: str, emit: Emit) -> Recorder:
    """Activates recording for this process (a forked child running one snippet)."""
    global _recorder
    _recorder = Recorder(filename, emit)
    return _recorder


def current() -> Recorder | None:
    return _recorder


def stop() -> None:
    """Ends recording: what ScopeViz itself does next (writing a checkpoint, whose
    ``save_counter`` is a variable) is not the snippet's."""
    global _recorder
    _recorder = None
