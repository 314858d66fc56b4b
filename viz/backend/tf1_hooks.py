"""The hooks in TensorFlow's scope and variable machinery that TF1 mode records through, one
named hook per entry point, installed once in the zygote by :func:`install`. Each reports to
the run's :class:`viz.backend.tracer.Recorder` and does nothing while there is none."""

from __future__ import annotations

import sys
from typing import Any

from tensorflow.python.framework import ops
from tensorflow.python.ops import variable_scope as vs_module
from tensorflow.python.ops import variable_v1, variables

from viz.backend import tracer
from viz.backend.tracer import (
    OPS_FILE,
    GetVariableCall,
    VariableCall,
    describe_initializer,
    plain,
    reuse_value,
)
from viz.core.names import join_scope
from viz.core.trace import (
    NameScopeEvent,
    ReuseEvent,
    ReuseVariablesEvent,
    VariableScopeEvent,
)


def install() -> None:
    """Patches TF's scope and variable entry points once, in the worker, before any fork."""
    tracer.hide_own_frames()
    tracer.hook_autograph_source_maps()
    _hook_name_scopes()
    _hook_variable_scope_enter()
    _hook_unique_variable_scope()
    _hook_reuse_variables()
    _hook_get_variable()
    _hook_store_get_variable()
    _hook_store_lookup("_get_single_variable", "_vars")
    _hook_store_lookup("_get_partitioned_variable", "_partitioned_vars")
    _hook_variable_call(variable_v1.VariableV1)
    _hook_variable_call(variables.Variable)
    _hook_creator(variable_v1, "default_variable_creator")
    _hook_creator(variables, "default_variable_creator_v2")


class _NameScopeContext:
    """Wraps ``Graph.name_scope``'s context manager to learn the scope TF gave."""

    __slots__ = ("_inner", "_graph", "_name")

    def __init__(self, inner: Any, graph: ops.Graph, name: Any) -> None:
        self._inner = inner
        self._graph = graph
        self._name = name

    def __enter__(self) -> str:
        recorder = tracer.current()
        parent = self._graph._name_stack
        scope = self._inner.__enter__()
        if recorder is None:
            return scope
        name = self._name if isinstance(self._name, str) or not self._name else str(self._name)
        given = scope[:-1] if scope.endswith("/") else scope
        if not name:
            requested = ""
        elif name.endswith("/"):
            requested = recorder.name_scope_requested.get(given, given)
        else:
            parent_requested = recorder.name_scope_requested.get(parent, parent)
            requested = join_scope(parent_requested, name)
            recorder.name_scope_requested[given] = requested
        caller = sys._getframe(1)
        while caller is not None and caller.f_code.co_filename == OPS_FILE:
            caller = caller.f_back
        if caller is not None and caller.f_code.co_filename == recorder.filename:
            recorder.emit(plain(NameScopeEvent(
                asked=name or "", given=given, requested=requested, line=caller.f_lineno,
                graph=recorder.graph(self._graph))))
        return scope

    def __exit__(self, *exc: Any) -> Any:
        return self._inner.__exit__(*exc)


def _hook_name_scopes() -> None:
    """``Graph.name_scope``: the scope TF gave each name scope the snippet entered."""
    original = ops.Graph.name_scope

    def name_scope(self: ops.Graph, name: Any) -> Any:
        inner = original(self, name)
        recorder = tracer.current()
        # Inside get_variable the variable's path comes from its variable scopes, and most of
        # a model's name scopes open there (initializers, Assign, read): skip their bookkeeping.
        if recorder is None or getattr(recorder.calls, "stack", None):
            return inner
        return _NameScopeContext(inner, self, name)

    ops.Graph.name_scope = name_scope


def _hook_variable_scope_enter() -> None:
    """``variable_scope.__enter__``: the scope entered, what was asked for, and its reuse."""
    original = vs_module.variable_scope.__enter__

    def variable_scope_enter(self: Any) -> Any:
        recorder = tracer.current()
        if recorder is None:
            return original(self)
        parent = vs_module.get_variable_scope()
        scope = original(self)
        asked = self._name_or_scope
        captured = isinstance(asked, vs_module.VariableScope)
        if captured:
            requested = recorder.requested_variable_scope(asked)
        else:
            segment = asked if asked else recorder.requested_default_name(self._default_name)
            requested = join_scope(recorder.requested_variable_scope(parent), segment)
        recorder.scope_requested[id(scope)] = (scope, requested)
        recorder.variable_scope_requested.setdefault(scope.name, requested)
        caller = sys._getframe(1)
        recorder.emit(plain(VariableScopeEvent(
            name=scope.name,
            requested=requested,
            asked=asked.name if captured else asked,
            reuse=reuse_value(scope.reuse) or False,
            reuse_asked=reuse_value(self._reuse),
            captured=captured,
            default_name=self._default_name if asked is None else None,
            name_scope=ops.get_default_graph().get_name_scope(),
            user=caller.f_code.co_filename == recorder.filename,
            line=recorder.line(caller),
            graph=recorder.graph(),
        )))
        return scope

    vs_module.variable_scope.__enter__ = variable_scope_enter


def _hook_unique_variable_scope() -> None:
    """Default names are made unique in ``_get_unique_variable_scope``, also on paths the
    enter hook does not see (``make_template(..., create_scope_now_=True)`` enters its scope
    privately): remember that ``foo_1`` was asked for as ``foo``."""
    original = vs_module._get_unique_variable_scope

    def get_unique_variable_scope(prefix: str) -> str:
        unique = original(prefix)
        recorder = tracer.current()
        if recorder is not None:
            current = vs_module.get_variable_scope()
            recorder.variable_scope_requested.setdefault(
                join_scope(current.name, unique),
                join_scope(recorder.requested_variable_scope(current),
                           recorder.requested_default_name(prefix)))
        return unique

    vs_module._get_unique_variable_scope = get_unique_variable_scope


def _hook_reuse_variables() -> None:
    """``scope.reuse_variables()``: from here on the scope reuses."""
    original = vs_module.VariableScope.reuse_variables

    def reuse_variables(self: vs_module.VariableScope) -> None:
        original(self)
        recorder = tracer.current()
        if recorder is not None:
            recorder.emit(plain(ReuseVariablesEvent(
                scope=self.name, line=recorder.line(sys._getframe(1)),
                graph=recorder.graph())))

    vs_module.VariableScope.reuse_variables = reuse_variables


def _hook_get_variable() -> None:
    """``VariableScope.get_variable``: the call in flight (path asked for, reuse, initializer,
    line), which the store's lookups and the variable's creation then report against."""
    original = vs_module.VariableScope.get_variable

    def get_variable(self: vs_module.VariableScope, var_store: Any, name: str,
                     *args: Any, **kwargs: Any) -> Any:
        recorder = tracer.current()
        if recorder is None:
            return original(self, var_store, name, *args, **kwargs)
        frame = sys._getframe(1)
        initializer = kwargs.get("initializer", args[2] if len(args) > 2 else None)
        if initializer is None:
            initializer = self.initializer
        reuse = kwargs.get("reuse", args[5] if len(args) > 5 else None)
        line, via = recorder.locate(frame)
        calls = recorder.get_variable_calls()
        # A slot asks for name "" in its own scope: the variable is the scope's path.
        calls.append(GetVariableCall(
            full_name=join_scope(self.name, name) if name else self.name,
            requested=(join_scope(recorder.requested_variable_scope(self), name) if name
                       else recorder.requested_variable_scope(self)),
            variable_scope=self.name,
            name_scope=ops.get_default_graph().get_name_scope(),
            reuse=reuse_value(reuse if reuse is not None else self.reuse) or False,
            initializer=describe_initializer(initializer) or "default",
            via=via,
            line=line,
        ))
        try:
            return original(self, var_store, name, *args, **kwargs)
        finally:
            calls.pop()

    vs_module.VariableScope.get_variable = get_variable


def _hook_store_get_variable() -> None:
    """The store's own ``get_variable``, called directly (TF's tests do): the same call as
    ``tf.get_variable``'s, with the full name given and no variable scope in between."""
    original = vs_module._VariableStore.get_variable

    def store_get_variable(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        recorder = tracer.current()
        if recorder is None or recorder.get_variable_calls():
            return original(self, name, *args, **kwargs)
        initializer = kwargs.get("initializer", args[2] if len(args) > 2 else None)
        reuse = kwargs.get("reuse", args[4] if len(args) > 4 else None)
        line, via = recorder.locate(sys._getframe(1))
        calls = recorder.get_variable_calls()
        calls.append(GetVariableCall(
            full_name=name, requested=name,
            variable_scope=name.rsplit("/", 1)[0] if "/" in name else "",
            name_scope=ops.get_default_graph().get_name_scope(),
            reuse=reuse_value(reuse) or False,
            initializer=describe_initializer(initializer) or "default", via=via, line=line))
        try:
            return original(self, name, *args, **kwargs)
        finally:
            calls.pop()

    vs_module._VariableStore.get_variable = store_get_variable


def _hook_store_lookup(attr: str, existing: str) -> None:
    """A store lookup (``attr``) that finds the name already in its ``existing`` dict: the
    variable is reused, reported against the ``get_variable`` call in flight."""
    original = getattr(vs_module._VariableStore, attr)

    def lookup(self: Any, name: str, *args: Any, **kwargs: Any) -> Any:
        recorder = tracer.current()
        if recorder is None:
            return original(self, name, *args, **kwargs)
        existed = name in getattr(self, existing)
        found = original(self, name, *args, **kwargs)
        calls = recorder.get_variable_calls()
        if existed and calls:
            call = calls[-1]
            recorder.emit(plain(ReuseEvent(
                name=found.name if attr == "_get_single_variable" else name,
                requested=call.requested if call.full_name == name else name,
                name_scope=call.name_scope,
                variable_scope=call.variable_scope,
                reuse=call.reuse,
                via=call.via,
                line=call.line,
                graph=recorder.graph(),
            )))
        return found

    setattr(vs_module._VariableStore, attr, lookup)


def _hook_creator(module: Any, attr: str) -> None:
    """A default variable creator: every variable made, with the name TF gave it."""
    original = getattr(module, attr)

    def creator(next_creator: Any = None, **kwargs: Any) -> Any:
        variable = original(next_creator, **kwargs)
        recorder = tracer.current()
        if recorder is not None:
            recorder.note_variable(variable, kwargs)
        return variable

    setattr(module, attr, creator)


def _hook_variable_call(cls: Any) -> None:
    """The outermost step of ``tf.Variable(...)``, before the snippet's variable creators
    (``tf.variable_creator_scope``) can change the name: record what was asked for."""
    original = cls.__dict__["_variable_call"].__func__

    def variable_call(klass: Any, *args: Any, **kwargs: Any) -> Any:
        recorder = tracer.current()
        if recorder is None or recorder.get_variable_calls():
            return original(klass, *args, **kwargs)
        name = kwargs.get("name", args[4] if len(args) > 4 else None)
        scope = ops.get_default_graph().get_name_scope()
        asked = name if isinstance(name, str) and name else "Variable"
        # A name ending in "/" is a whole name scope path, as with tf.name_scope.
        requested = asked[:-1] if asked.endswith("/") else join_scope(
            recorder.name_scope_requested.get(scope, scope), asked)
        line, via = recorder.locate(sys._getframe(1))
        stack = recorder.variable_calls()
        stack.append(VariableCall(requested, line, via))
        try:
            variable = original(klass, *args, **kwargs)
            # A tf.function makes its variables without TF's default creator, which
            # records the others: such a new variable is recorded here.
            if variable is not None:  # (note_variable skips one already recorded)
                recorder.note_variable(variable, kwargs, depth=1)
            return variable
        finally:
            stack.pop()

    cls._variable_call = classmethod(variable_call)
