"""Pure "why these names": one plain sentence per variable or reuse, naming the rule behind it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from viz.core import tf2
from viz.core.escape import markdown_text
from viz.core.names import TF2, UNIQUIFIED, in_graph, op_name, parent_path
from viz.core.tf2 import DUPLICATE_NAME, RECREATED_PER_CALL, UNTRACKED
from viz.core.trace import (
    NameScopeEvent,
    ReuseEvent,
    ReuseVariablesEvent,
    Trace,
    VariableEvent,
    VariableScopeEvent,
)
from viz.core.tree import build_tree
from viz.core.view import slot_facts


@dataclass(frozen=True)
class Explanation:
    """The sentence for one variable (or one reuse), with the snippet line it is about."""

    subject: str
    line: int | None
    text: str


def _short(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _at(line: int | None) -> str:
    return f" at line {line}" if line is not None else ""


class _History:
    """What the run had done so far, to point at the earlier line that explains a name."""

    def __init__(self) -> None:
        self.first_given: dict[str, int | None] = {}  # name scope or op path -> first line
        self.variable_scopes: list[VariableScopeEvent] = []
        self.variables: dict[str, VariableEvent] = {}  # op name -> its variable
        # Positions in event order of each variable scope's latest entry and of each
        # reuse_variables() call: a reuse is blamed only on what was in force at its call.
        self.count = 0
        self.entered: dict[str, int] = {}
        self.reuse_calls: list[tuple[int, ReuseVariablesEvent]] = []

    def slot_primary(self, variable: VariableEvent) -> VariableEvent | None:
        """The variable whose slot this is: optimizers and moving averages make each slot in
        ``variable_scope(None, default_name="<variable>/<slot>")`` and ask for name ""."""
        scope = variable.variable_scope
        if variable.api != "tf.get_variable" or not scope or op_name(variable.name) != scope:
            return None
        for event in reversed(self.variable_scopes):
            if event.name == scope:
                default = event.default_name or ""
                return self.variables.get(default.rsplit("/", 1)[0]) if "/" in default else None
        return None

    def taken_at(self, path: str) -> str:
        """``" at line N"`` for the line that first took ``path``, or ``""`` if unknown."""
        return _at(self.first_given[path]) if path in self.first_given else ""

    def default_name_scope(self, asked: str, given: str) -> VariableScopeEvent | None:
        for event in reversed(self.variable_scopes):
            if event.default_name == asked and _short(event.name) == given:
                return event
        return None

    def latest_entry(self, scope: str) -> VariableScopeEvent | None:
        """The latest entry of the variable scope named ``scope``."""
        return next((e for e in reversed(self.variable_scopes) if e.name == scope), None)

    def reuse_cause(self, scope: str) -> str | None:
        """What makes get_variable in ``scope`` return existing variables, among what is in
        force now: the scope's latest entry, or a reuse_variables() made since the scope it
        named was last entered (a closed scope's settings do not count); None when nothing
        recorded says (the reuse is inherited)."""
        for order, call in reversed(self.reuse_calls):
            in_scope = scope == call.scope or scope.startswith(call.scope + "/") or not call.scope
            if in_scope and order > self.entered.get(call.scope, -1):
                return (f"scope.reuse_variables() was called on {call.scope or 'the root scope'}"
                        f"{_at(call.line)}")
        entry = self.latest_entry(scope)
        if entry is None or not entry.reuse_asked:
            return None
        if entry.reuse_asked == "AUTO_REUSE":
            return (f"variable_scope('{_short(scope)}') has reuse=tf.AUTO_REUSE"
                    f"{_at(entry.line)}, which returns a variable that exists")
        if entry.captured and not entry.user:
            # tf.make_template and layer objects keep their scope and re-enter it
            return (f"the template or layer that owns variable scope {scope} re-entered it "
                    f"with reuse=True when called again{_at(entry.line)}")
        return f"variable_scope('{_short(scope)}', reuse=True) was entered{_at(entry.line)}"

    def reuse_source(self, reuse: ReuseEvent) -> str:
        """Why a get_variable call returned an existing variable."""
        scope = reuse.variable_scope
        cause = self.reuse_cause(scope)
        if cause is not None:
            return cause
        if reuse.reuse == "AUTO_REUSE":
            return f"variable scope {scope} inherits reuse=tf.AUTO_REUSE from a parent scope"
        return f"variable scope {scope or '(root)'} is reusing (inherited from a parent scope)"


def _uniquified_reason(variable: VariableEvent, history: _History) -> str:
    asked_parts = variable.requested.split("/")
    given = op_name(variable.name)
    given_parts = given.split("/")
    if len(asked_parts) != len(given_parts):
        return f"TF changed {variable.requested} to {given} to keep names unique"
    reasons = []
    for depth, (asked, got) in enumerate(zip(asked_parts, given_parts)):
        if asked == got:
            continue
        prefix = "/".join(given_parts[:depth])
        asked_path = f"{prefix}/{asked}" if prefix else asked
        suffix = got[len(asked):] if got.startswith(asked) else ""
        is_leaf = depth == len(given_parts) - 1
        default_scope = None if is_leaf else history.default_name_scope(asked, got)
        if default_scope is not None:
            reasons.append(
                f"default name {asked} was already used in this variable scope, so "
                f"variable_scope(None, default_name='{asked}'){_at(default_scope.line)} "
                f"gave {got}")
        elif is_leaf and variable.api == "tf.get_variable":
            reasons.append(
                f"an op named {asked_path} (compared case-insensitively) already existed, so "
                f"TF named the variable's op {got}")
        elif is_leaf:
            what = "an unnamed tf.Variable is called Variable, and " if asked == "Variable" else ""
            reasons.append(f"{what}{asked_path} was already taken{history.taken_at(asked_path)}, "
                           f"so TF appended {suffix or 'a number'}")
        else:
            reasons.append(f"name scope {asked_path} was already used"
                           f"{history.taken_at(asked_path)}, so TF appended {suffix or 'a number'}"
                           f" and opened {got}")
    return "; ".join(reasons)


def _slot_sentence(variable: VariableEvent, primary: VariableEvent, history: _History,
                   via: str, role: str) -> str:
    """Why a slot (``w/Adam``, ``w/Adam_1``, ``w/ExponentialMovingAverage``) has its name."""
    given = op_name(variable.name)
    short = _short(given)
    of = op_name(primary.name)
    if variable.status != UNIQUIFIED:
        return (f"{short} is {given}: a slot of {of}{via}; TF names a slot's variable scope "
                f"after its variable, whatever name scope the call ran in.")
    reasons = []
    if primary.status == UNIQUIFIED:
        reasons.append(f"it is a slot of {of}, which TF had named so instead of "
                       f"{primary.requested}: {_uniquified_reason(primary, history)}")
    asked_slot, given_slot = _short(variable.requested), short
    if asked_slot != given_slot:
        held = f" (it holds {role})" if role else ""
        reasons.append(f"{of} already had a slot named {asked_slot}: an optimizer keeps more "
                       f"than one slot per variable under its own name (Adam's m and v), and "
                       f"the default-name counter numbered this one {given_slot}{held}: the "
                       f"optimizer's own convention, not a name your code repeated")
    reason = "; ".join(reasons) or _uniquified_reason(variable, history)
    return f"{short} is {given} and not {variable.requested} because {reason}{via}."


def _variable_sentence(variable: VariableEvent, history: _History,
                       roles: dict[str, tuple[str, str]]) -> str:
    given = op_name(variable.name)
    short = _short(given)
    scope = parent_path(given)
    via = f" (created by {variable.via})" if variable.via else ""
    primary = history.slot_primary(variable)
    if primary is not None:
        role = roles.get(in_graph(variable.graph, variable.name), ("", ""))[1]
        return _slot_sentence(variable, primary, history, via, role)
    if variable.status == UNIQUIFIED:
        return (f"{short} is {given} and not {variable.requested} because "
                f"{_uniquified_reason(variable, history)}{via}.")
    if variable.requested != given:
        return (f"{short} is {given} and not {variable.requested}: the code asked for "
                f"{variable.requested}, and a custom getter chose another name{via}.")
    if variable.api == "tf.get_variable":
        ignored = variable.name_scope
        entry = history.latest_entry(variable.variable_scope or "")
        if ignored and ignored != (variable.variable_scope or "") and entry is not None and (
                entry.captured and not entry.user):
            return (f"{short} is {given}: the template or layer that owns variable scope "
                    f"{variable.variable_scope} re-entered the scope it captured"
                    f"{_at(entry.line)}, so its variables stay there whatever name scope it "
                    f"runs in (here {ignored}){via}.")
        if ignored and ignored != (variable.variable_scope or ""):
            return (f"{short} is {given} and not {ignored}/{short} because tf.get_variable "
                    f"ignores name scopes and only uses variable scopes{via}.")
        where = f"variable scope {variable.variable_scope}" if variable.variable_scope else (
            "no variable scope")
        return f"{short} is {given}: tf.get_variable put it in {where}{via}."
    if scope:
        return (f"{short} is {given}: tf.Variable takes the current name scope {scope} "
                f"(variable scopes reach it only through the name scope they open){via}.")
    if short != "Variable" and short.rsplit("_", 1)[-1].isdigit():
        return f"{short} is exactly the name the code asked for; it only looks uniquified{via}."
    return f"{short} is {given}: tf.Variable outside any name scope{via}."


def as_markdown(sentences: list[Explanation]) -> str:
    """A Markdown list, each sentence led by its line (unless it already names it); the
    sentences, which quote names the snippet chose, are escaped to show as plain text."""
    items = []
    for sentence in sentences:
        lead = f"**line {sentence.line}**: " if sentence.line is not None else ""
        if sentence.text.startswith("line "):
            lead = ""
        items.append(f"- {lead}{markdown_text(sentence.text)}")
    return "\n".join(items)


_MISSING = re.compile(r"Variable (\S+?)/? does not exist, or was not created with "
                      r"tf\.get_variable\(\)")


def _error_sentence(trace: Trace, history: _History) -> Explanation | None:
    """Why get_variable refused to create a variable: the reuse in force at the failing line,
    which the trace recorded (CIFAR-10's moving averages after a root reuse_variables())."""
    error = trace.error
    match = _MISSING.search(error.message) if error is not None else None
    if match is None:
        return None
    name = match.group(1)
    reason = history.reuse_cause(parent_path(name))
    if reason is None:
        return None  # nothing recorded explains it better than TF's own message
    return Explanation("error", error.line,  # type: ignore[union-attr]
                       f"{name} could not be created: get_variable only returns existing "
                       f"variables there, because {reason}; create it before that, or keep "
                       f"the reuse inside its own variable_scope.")


def explain(trace: Trace) -> list[Explanation]:
    """One sentence per variable created and per get_variable call that reused one, in order.

    Each tf.Graph the snippet built names apart from the others, so each has its own history;
    sentences of another graph's variables are keyed ``(graph N)/name``.
    """
    if trace.mode == TF2:
        return explain_tf2(trace)
    histories: dict[int, _History] = {0: _History()}
    sentences: list[Explanation] = []
    roles = slot_facts(build_tree(trace))  # each slot's variable and what it holds
    for event in trace.events:
        history = histories.setdefault(event.graph, _History())
        history.count += 1
        if isinstance(event, NameScopeEvent):
            history.first_given.setdefault(event.given, event.line)
        elif isinstance(event, VariableScopeEvent):
            history.variable_scopes.append(event)
            history.entered[event.name] = history.count
            history.first_given.setdefault(event.name_scope, event.line)
        elif isinstance(event, ReuseVariablesEvent):
            history.reuse_calls.append((history.count, event))
        elif isinstance(event, VariableEvent):
            sentences.append(Explanation(in_graph(event.graph, event.name), event.line,
                                         _variable_sentence(event, history, roles)))
            history.first_given.setdefault(op_name(event.name), event.line)
            history.variables[op_name(event.name)] = event
        elif isinstance(event, ReuseEvent):
            text = (f"line {event.line} reuses {op_name(event.name)} because "
                    f"{history.reuse_source(event)}")
            if event.name_scope and event.name_scope != event.variable_scope:
                text += (f"; the call ran in name scope {event.name_scope}, which "
                         f"tf.get_variable ignores")
            sentences.append(Explanation(in_graph(event.graph, event.name), event.line,
                                         text + "."))
    # An error comes from the graph the run was building last.
    last = trace.events[-1].graph if trace.events else 0
    error = _error_sentence(trace, histories[last])
    return sentences + ([error] if error is not None else [])


def explain_tf2(trace: Trace) -> list[Explanation]:
    """TF2 mode's sentences: for each variable, its names and where it was made (and each
    warning); for each numbered Keras layer, who took its counter. Subjects are the drawn
    boxes' ids (:meth:`Trace.tf2_box_names`)."""
    sentences = []
    variables = trace.tf2_variables
    for index, (variable, box, warnings) in enumerate(zip(variables, tf2.box_names(trace),
                                                          tf2.variable_warnings(trace))):
        where = {"eager": "eagerly", "tf.function": "while a tf.function was traced",
                 "graph": "in a tf.Graph"}[variable.created_in]
        text = f"{variable.name} was made {where}"
        if variable.path is not None:
            text += f"; it is the Keras 3 weight {variable.keras_name} with path {variable.path}"
            if variable.path != op_name(variable.name):
                text += " (the tf.Variable's name follows tf.name_scope, the path the layers)"
        if variable.status == UNIQUIFIED:
            text += f"; TF numbered it in its graph (it asked for {variable.requested})"
        if DUPLICATE_NAME in warnings:
            others = sorted({str(other.line) for i, other in enumerate(variables)
                             if i != index and other.name == variable.name
                             and other.line is not None})
            text += (f"; other variables have the same name (line {', '.join(others) or '?'})"
                     ": eager TF never makes names unique, only graphs do")
        if RECREATED_PER_CALL in warnings:
            text += ("; the same line made it before: a new variable on every call of this "
                     "code, each starting from its initial value")
        if UNTRACKED in warnings:
            text += "; no key of the ckpt_root checkpoint holds it: it is never saved"
        sentences.append(Explanation(box, variable.line, text + "."))
    for layer in trace.layers:
        if layer.uniquified:
            sentences.append(Explanation(layer.name, layer.line, (
                f"layer {layer.name} is numbered: Keras counts auto-named {layer.cls} "
                f"layers under {layer.base}, and {tf2.earlier_text(trace, layer)} took the "
                f"counter before it (explicitly named layers take no number).")))
    return sentences
