"""What a TF1 snippet does, recorded: the :class:`Recorder` the hooks of
:mod:`viz.backend.tf1_hooks` report to, and what both modes' hooks share.

The hooks are installed once in the warm worker (before it forks a child per run) and do nothing
until a :class:`Recorder` is active, so the worker's own warm-up pays almost nothing. Every event
leaves as a plain dict (names, shapes, lines): no TF object crosses the process boundary.
"""

from __future__ import annotations

import os
import sys
import threading
from dataclasses import dataclass
from types import FrameType
from typing import Any, Callable

from tensorflow.python.framework import ops
from tensorflow.python.ops import variable_scope as vs_module
from tensorflow.python.ops import variable_v1, variables
from tensorflow.python.util import tf_stack

from viz.core.names import op_name, variable_status
from viz.core.trace import (
    VariableEvent,
)

Emit = Callable[[dict[str, Any]], None]

OPS_FILE = ops.__file__
# Frames in these folders are decorators, dispatch wrappers and AutoGraph's call wrappers
# (a tf.function body calls everything through them), never what the user called.
_TF_PYTHON_DIR = os.path.dirname(os.path.dirname(ops.__file__))
_TF_WRAPPER_DIRS = tuple(os.path.join(_TF_PYTHON_DIR, folder) + os.sep
                         for folder in ("util", "autograph"))
_VARIABLE_API_FILES = {vs_module.__file__, variable_v1.__file__, variables.__file__}

_recorder: Recorder | None = None


@dataclass
class GetVariableCall:
    """One ``VariableScope.get_variable`` call in flight (they nest through custom getters)."""

    full_name: str
    requested: str
    variable_scope: str
    name_scope: str
    reuse: Any
    initializer: str | None
    via: str | None
    line: int | None


@dataclass(frozen=True)
class VariableCall:
    """A ``tf.Variable(...)`` call in flight: the path its name asked for, and where."""

    requested: str
    line: int | None
    via: str | None


# AutoGraph's rewrites of functions (generated files) -> their line -> (file, line) of the
# code each line came from: a tf.function body runs as such a rewrite. Filled in a run's
# process as AutoGraph converts; the zygote converts nothing.
_generated: dict[str, dict[int, tuple[str, int]]] = {}


def snippet_line(frame: FrameType, filename: str) -> int | None:
    """The line of ``filename`` (the snippet) a frame runs, directly or as AutoGraph's
    rewrite of one of its functions; None for any other code."""
    if frame.f_code.co_filename == filename:
        return frame.f_lineno
    origin = _generated.get(frame.f_code.co_filename, {}).get(frame.f_lineno)
    return origin[1] if origin is not None and origin[0] == filename else None


def hook_autograph_source_maps() -> None:
    """Notes where each line of AutoGraph's rewrites came from, as AutoGraph maps them."""
    from tensorflow.python.autograph.pyct import origin_info

    original = origin_info.create_source_map

    def create_source_map(nodes: Any, code: str, filepath: str) -> Any:
        source_map = original(nodes, code, filepath)
        for loc, origin in source_map.items():
            _generated.setdefault(loc.filename, {})[loc.lineno] = (origin.loc.filename,
                                                                   origin.loc.lineno)
        return source_map

    origin_info.create_source_map = create_source_map


def plain(event: object) -> dict[str, Any]:
    """The event's fields as a dict (dataclasses.asdict deep-copies, too slow per variable)."""
    return dict(vars(event))


def reuse_value(reuse: Any) -> bool | str | None:
    """Turns TF's reuse setting (None, bool or _ReuseMode.AUTO_REUSE) into JSON."""
    if reuse is vs_module.AUTO_REUSE:
        return "AUTO_REUSE"
    return None if reuse is None else bool(reuse)


def describe_initializer(initializer: Any) -> str | None:
    if initializer is None:
        return None
    if isinstance(initializer, type):
        return initializer.__name__
    if callable(initializer) and not hasattr(initializer, "__self__"):
        return getattr(initializer, "__name__", type(initializer).__name__)
    return type(initializer).__name__


class Recorder:
    """Per-run state: maps from the scopes TF gave to the scopes the code asked for."""

    def __init__(self, filename: str, emit: Emit) -> None:
        self.filename = filename
        self.emit = emit
        # name scope TF gave -> path asked for, scopes joined as written ("nsc1_1" -> "nsc1")
        self.name_scope_requested: dict[str, str] = {"": ""}
        # VariableScope object (by id, with the object) -> the path its `with` asked for. Per
        # entry, not per name: `variable_scope("blk_1")` asked by name after a default-name
        # scope produced blk_1 is blk_1 as asked, while the default-name one asked for "blk".
        self.scope_requested: dict[int, tuple[Any, str]] = {}
        # variable scope name -> name asked for, for scope objects entered out of sight
        self.variable_scope_requested: dict[str, str] = {"": ""}
        # variable op name -> the path asked for: slots are named after their variable
        self.variable_requested: dict[str, str] = {}
        self.calls = threading.local()
        # Graphs by id (with the object, so an id is never reused while held): the run's own
        # graph is 0, others the snippet builds are numbered as they first show up.
        self.graphs: dict[int, tuple[Any, int]] = {}
        self.graph(ops.get_default_graph())
        # Variables recorded (by id, with the object, so an id is never reused while held).
        self.noted: dict[int, Any] = {}

    def graph(self, graph: Any = None) -> int:
        """The number of ``graph`` (default: the current default graph) in this run."""
        graph = ops.get_default_graph() if graph is None else graph
        entry = self.graphs.get(id(graph))
        if entry is None:
            entry = self.graphs[id(graph)] = (graph, len(self.graphs))
        return entry[1]

    def variable_calls(self) -> list[VariableCall]:
        stack = getattr(self.calls, "variables", None)
        if stack is None:
            stack = self.calls.variables = []
        return stack

    def get_variable_calls(self) -> list[GetVariableCall]:
        stack = getattr(self.calls, "stack", None)
        if stack is None:
            stack = self.calls.stack = []
        return stack

    def line(self, frame: FrameType | None) -> int | None:
        """The line of the innermost snippet frame (calls in the snippet's functions count)."""
        return self.locate(frame)[0]

    def locate(self, frame: FrameType | None) -> tuple[int | None, str | None]:
        """The snippet line of a call, and the TF function the snippet called there.

        The function is named only when it is not a variable API itself: ``tf.layers.dense``
        gives ``dense``, ``layer(x)`` gives ``Dense.__call__``, a direct ``tf.Variable`` or
        ``tf.get_variable`` call gives None. Decorator and AutoGraph frames are skipped.
        """
        callee = None
        line = None
        while frame is not None:
            line = snippet_line(frame, self.filename)
            if line is not None:
                break
            if not frame.f_code.co_filename.startswith(_TF_WRAPPER_DIRS):
                callee = frame
            frame = frame.f_back
        if frame is None:
            return None, None
        if callee is None or callee.f_code.co_filename in _VARIABLE_API_FILES:
            return line, None
        owner = callee.f_locals.get("self")
        if owner is not None:
            return line, f"{type(owner).__name__}.{callee.f_code.co_name}"
        return line, callee.f_code.co_qualname

    def requested_default_name(self, default_name: str) -> str:
        """A default name as asked for: TF names a slot's scope after its variable
        (``g/dense_1/kernel/Momentum``), so when that variable was renamed the slot was asked
        for under the variable's requested path (``g/dense/kernel/Momentum``)."""
        if "/" not in default_name:
            return default_name
        parts = default_name.split("/")
        for end in range(len(parts) - 1, 0, -1):
            asked = self.variable_requested.get("/".join(parts[:end]))
            if asked is not None:
                return "/".join([asked, *parts[end:]])
        return default_name

    def requested_variable_scope(self, scope: Any) -> str:
        """The path the code asked for when it entered this VariableScope object."""
        entry = self.scope_requested.get(id(scope))
        if entry is not None and entry[0] is scope:
            return entry[1]
        return self.variable_scope_requested.get(scope.name, scope.name)

    def note_variable(self, variable: Any, kwargs: dict[str, Any], depth: int = 2) -> None:
        if id(variable) in self.noted:
            return
        self.noted[id(variable)] = variable
        frame = sys._getframe(depth)
        name = variable.name
        given = op_name(name)
        calls = self.get_variable_calls()
        call = calls[-1] if calls else None
        basis = None
        if call is not None:
            # get_variable: the path comes from variable scopes; partitions add "/part_N", and
            # TF's case-insensitive op names can turn "p" into "p_1" after a "P". A custom
            # getter may pick another name: what the code asked for is still the call's.
            suffix = _own_suffix(call.full_name, given)
            requested = call.requested + (suffix or "")
            api, via, line = "tf.get_variable", call.via, call.line
            name_scope, variable_scope, initializer = (
                call.name_scope, call.variable_scope, call.initializer)
        else:
            # tf.Variable: what its call asked for, before any variable creator of the
            # snippet's renamed it (the name scope TF made for the name says the same, when
            # no creator intervened).
            asked = self.variable_calls()[-1] if self.variable_calls() else None
            # The status compares TF's result with the name TF was given (a creator's own
            # name is not TF uniquifying); `requested` shows what the code asked for.
            basis = self.name_scope_requested.get(given, given)
            requested = asked.requested if asked is not None else basis
            api = "tf.Variable"
            line, via = (asked.line, asked.via) if asked is not None else self.locate(frame)
            name_scope = given.rsplit("/", 1)[0] if "/" in given else ""
            variable_scope = None
            initializer = _describe_initial_value(kwargs.get("initial_value"))
        trainable = bool(variable.trainable)
        collections = list(kwargs.get("collections") or [ops.GraphKeys.GLOBAL_VARIABLES])
        if trainable and ops.GraphKeys.TRAINABLE_VARIABLES not in collections:
            collections.append(ops.GraphKeys.TRAINABLE_VARIABLES)
        shape = variable.shape
        self.variable_requested[given] = requested
        event = VariableEvent(
            name=name,
            requested=requested,
            status=variable_status(basis or requested, name),
            api=api,
            via=via,
            shape=None if shape.rank is None else shape.as_list(),
            dtype=variable.dtype.base_dtype.name,
            trainable=trainable,
            collections=collections,
            initializer=initializer,
            resource=not variable.dtype._is_ref_dtype,
            name_scope=name_scope,
            variable_scope=variable_scope,
            line=line,
            graph=self.graph(variable.graph),
        )
        self.emit(plain(event))


def _own_suffix(full_name: str, given: str) -> str | None:
    """The partition suffix ("" or "/part_N") when ``given`` is get_variable(full_name)'s op.

    Also accepts ``full_name_N``: TF's op names are case-insensitive, so get_variable("p")
    after an op "P" gives "p_1". Plain string checks: a regex per name would fill re's cache.
    """
    if not given.startswith(full_name):
        return None
    rest = given[len(full_name):]
    if rest.startswith("_"):
        digits = rest[1:].split("/", 1)[0]
        if not digits.isdigit():
            return None
        rest = rest[1 + len(digits):]
    if not rest or (rest.startswith("/part_") and rest[6:].isdigit()):
        return rest
    return None


def _describe_initial_value(value: Any) -> str | None:
    """Names a ``tf.Variable`` initial value: the op that makes it, or its Python kind."""
    if value is None:
        return None
    if callable(value):
        return "callable"
    op = getattr(value, "op", None)
    if op is not None:
        return op.name.rsplit("/", 1)[-1]
    return "constant"


# ScopeViz's own frames: the hooks between the snippet and TF, and below the snippet the
# zygote that forked it (started with `python -m`, hence runpy).
OWN_FILES = frozenset({"<frozen runpy>", *(
    os.path.join(os.path.dirname(__file__), module)
    for module in ("tracer.py", "tf1_hooks.py", "tracer_tf2.py", "runner.py", "worker.py",
                   "channel.py"))})


class _HideOwnFrames(tf_stack.StackTraceFilter):
    """Keeps ScopeViz's frames out of the stacks TF records for each op, so that messages
    such as "Originally defined at:" (five frames outside TF) list the snippet's own lines
    and no path of this server."""

    def __init__(self) -> None:
        super().__init__()
        self.update()

    def get_filtered_filenames(self) -> frozenset[str]:
        return OWN_FILES


def hide_own_frames() -> None:
    """Installs the filter in this process (the zygote, before any fork)."""
    stacks = tf_stack._source_filter_stacks
    stacks.default_factory = lambda: [_HideOwnFrames()]
    for stack in stacks.values():
        stack[0] = _HideOwnFrames()


def start(filename: str, emit: Emit) -> Recorder:
    """Activates recording for this process (a forked child running one snippet)."""
    global _recorder
    _recorder = Recorder(filename, emit)
    return _recorder


def current() -> Recorder | None:
    """The active recorder; None in the zygote, where the hooks do nothing."""
    return _recorder


def stop() -> None:
    """Stops recording: the hooks do nothing again."""
    global _recorder
    _recorder = None
