"""Predict the names: an exercise asks, for each variable a snippet creates or reuses (in the
order TF saw them), the full name the learner expects; TF's run is the answer key, and every
miss gets the why-sentence of the name TF gave.

Pure: the questions and the marks come from a :class:`~viz.core.trace.Trace`; the page runs
the snippet and draws the inputs.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, MutableMapping

from viz.core.explain import explain
from viz.core.gallery import Gallery
from viz.core.names import TF1, TF2
from viz.core.share import encode_snippet
from viz.core.trace import ReuseEvent, Trace, VariableEvent

State = MutableMapping[str, Any]
EXERCISE = "Exercise"  # the view

# The gallery's examples that make exercises, easiest first: name scope vs variable scope,
# re-entered scopes, duplicates and sharing (the seed's three snippets among them), then
# reuse without a variable, AUTO_REUSE, layers' default names and optimizer slots.
EXERCISES = (
    "seed_1_name_scope_vs_variable_scope",
    "get_variable_ignores_name_scope",
    "reenter_name_scope",
    "seed_2_tf_variable_duplicates",
    "reenter_variable_scope",
    "seed_3_get_variable_sharing",
    "auto_reuse",
    "reuse_missing_variable",
    "layers_names",
    "optimizer_slots",
)
# What a learner types for a line where TF raises instead of naming.
ERROR_ANSWER = "error"


@dataclass(frozen=True)
class Question:
    """One name to predict: ``answer`` is what TF gave (``nsc1_1/v4:0``, or ``error`` for the
    line where the run stopped); ``why`` the sentence a miss shows."""

    number: int
    line: int | None
    code: str
    time: int  # the how-manieth name this line gives (a layer's two, a function called twice)
    answer: str
    why: str

    @property
    def label(self) -> str:
        """``line 13: v1 = tf.Variable(...)``; ``line 15, 2nd name: ...`` for a line asked
        again."""
        where = f"line {self.line}" if self.line is not None else "TF's own code"
        again = f", {ordinal(self.time)} name" if self.time > 1 else ""
        return f"{where}{again}: {self.code}" if self.code else f"{where}{again}"


@dataclass(frozen=True)
class Mark:
    """One answer as checked."""

    question: Question
    given: str
    right: bool


def ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th")
    return f"{number}{suffix}"


def _named(trace: Trace) -> list[tuple[str, int | None, str]]:
    """(TF's name, line, why) of each variable created or reused, in order: :func:`explain`
    gives one sentence per variable and reuse, in the same order (then the error's)."""
    sentences = [e.text for e in explain(trace) if e.subject != "error"]
    if trace.mode == TF2:
        named = [(v.name, v.line) for v in trace.tf2_variables]
    else:
        named = [(e.name, e.line) for e in trace.events
                 if isinstance(e, (VariableEvent, ReuseEvent))]
    return [(name, line, why) for (name, line), why in zip(named, sentences)]


def questions(trace: Trace, source: str) -> list[Question]:
    """The exercise of one run: a question per variable created or reused, and one for the
    line TF stopped at (its answer is ``error``)."""
    lines = source.splitlines()
    named = _named(trace)
    error = trace.error
    if error is not None:
        sentence = next((e.text for e in explain(trace) if e.subject == "error"), None)
        named.append((ERROR_ANSWER, error.line, sentence or f"TF stopped here: "
                      f"{error.type}: {error.message.splitlines()[0] if error.message else ''}"))
    seen: Counter[int | None] = Counter()
    found = []
    for number, (answer, line, why) in enumerate(named, start=1):
        seen[line] += 1
        code = lines[line - 1].strip() if line is not None and 0 < line <= len(lines) else ""
        found.append(Question(number, line, code, seen[line], answer, why))
    return found


def normalized(answer: str) -> str:
    """The answer as compared: without spaces, quotes or backticks around it, ``:0`` added
    when no output index was typed (``nsc1_1/v4`` means ``nsc1_1/v4:0``)."""
    text = answer.strip().strip("`'\" ").strip()
    if text.lower() == ERROR_ANSWER:
        return ERROR_ANSWER
    return text if not text or ":" in text.rsplit("/", 1)[-1] else f"{text}:0"


def check(found: list[Question], answers: list[str]) -> list[Mark]:
    """Each answer against TF's name (a missing answer is wrong)."""
    padded = list(answers) + [""] * (len(found) - len(answers))
    return [Mark(q, given.strip(), bool(given.strip()) and normalized(given) == q.answer)
            for q, given in zip(found, padded)]


def score(marks: list[Mark]) -> str:
    """``N of M right``: the words the page and the room show."""
    return f"{sum(m.right for m in marks)} of {len(marks)} right"


# A session going through an exercise (transitions of a mapping, as in viz.core.session).
OWN = "own"  # ``?exercise=own``: the learner's own snippet, not an example


def start_exercise(state: State, source: str, mode: str, exercise: str) -> None:
    """``source`` as exercise ``exercise`` (a stem, or OWN), with empty answers; its run
    (which says what to ask) is requested."""
    state["exercise"] = exercise
    state["exercise_source"] = source
    state["exercise_mode"] = mode
    state["exercise_trace"] = state["exercise_marks"] = None
    state["exercise_gen"] = state.get("exercise_gen", 0) + 1  # fresh, empty answers
    state["exercise_checking"] = False
    state["exercise_requested"] = True


def open_exercise(state: State, gallery: Gallery, stem: str) -> None:
    """An example as an exercise; its run (which says what to ask) is requested."""
    state["exercise_choice"] = stem
    start_exercise(state, gallery.examples[stem].source, gallery.mode_of(stem) or TF1, stem)


def own_exercise(state: State, gallery: Gallery) -> None:
    """The editor's text as an exercise (an unchanged example is that example's)."""
    example = state.get("example")
    if example and gallery.examples[example].source == state["source"]:
        open_exercise(state, gallery, example)
    else:
        state["exercise_choice"] = OWN
        start_exercise(state, state["source"], state.get("mode") or TF1, OWN)
    state["view"] = EXERCISE


def choose_exercise(state: State, gallery: Gallery) -> None:
    """The picker's choice (the learner's own snippet is already open when it is listed)."""
    if state["exercise_choice"] != OWN:
        open_exercise(state, gallery, state["exercise_choice"])


def restart_exercise(state: State) -> None:
    """The same exercise with empty answers."""
    start_exercise(state, state["exercise_source"], state["exercise_mode"], state["exercise"])


def answer_key(state: State, number: int) -> str:
    return f"answer_{state.get('exercise_gen', 0)}_{number}"


def request_check(state: State) -> None:
    state["exercise_requested"] = state["exercise_checking"] = True


def take_exercise_run(state: State, trace: Trace) -> None:
    """The exercise's run: it says what to ask, and on Check it marks the answers given."""
    state["exercise_trace"] = trace
    if state.get("exercise_checking"):
        found = questions(trace, state["exercise_source"])
        state["exercise_marks"] = check(
            found, [str(state.get(answer_key(state, q.number)) or "") for q in found])
    state["exercise_checking"] = False


def exercise_query(state: State) -> dict[str, str]:
    """``?exercise=stem``; the learner's own snippet travels as ``?exercise=own&snippet=``."""
    if state.get("exercise") != OWN:
        return {"exercise": state.get("exercise") or EXERCISES[0]}
    query = {"exercise": OWN, "snippet": encode_snippet(state["exercise_source"])}
    if state.get("exercise_mode") == TF2:
        query["mode"] = TF2
    return query
