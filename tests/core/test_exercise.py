"""Predict the names, pure: the questions a run asks, how answers are marked, the score."""

from __future__ import annotations

from support import load_trace

from viz.core import exercise, session
from viz.core.exercise import ERROR_ANSWER, check, normalized, questions, score
from viz.core.gallery import load_galleries
from viz.core.trace import ErrorInfo, Trace, VariableEvent

GALLERY = load_galleries()
SEED_1 = "seed_1_name_scope_vs_variable_scope"


def test_seed_1_asks_four_names_by_line_and_one_miss_scores_3_of_4() -> None:
    found = questions(load_trace(SEED_1), GALLERY.examples[SEED_1].source)
    assert [(q.line, q.answer) for q in found] == [
        (13, "nsc1/v1:0"), (15, "nsc1/vsc1/v2:0"), (16, "vsc1/v3:0"), (23, "nsc1_1/v4:0")]
    assert found[0].label == "line 13: v1 = tf.Variable([1], name='v1')"
    marks = check(found, ["nsc1/v1:0", "nsc1/vsc1/v2", "nsc1/vsc1/v3:0", " `nsc1_1/v4:0` "])
    assert [m.right for m in marks] == [True, True, False, True]
    assert score(marks) == "3 of 4 right"
    assert marks[2].question.why.startswith("v3 is vsc1/v3 and not nsc1/vsc1/v3 because "
                                            "tf.get_variable ignores name scopes")


def test_a_line_run_again_is_asked_again_and_reuses_ask_for_the_shared_name() -> None:
    stem = "seed_3_get_variable_sharing"
    found = questions(load_trace(stem), GALLERY.examples[stem].source)
    assert len(found) == 8
    assert [q.label.split(":")[0] for q in found[:4]] == [
        "line 15", "line 17", "line 15, 2nd name", "line 17, 2nd name"]
    assert found[4].answer == "image_filters/conv1/weights:0"  # the first reuse
    assert found[4].why.startswith("line 15 reuses image_filters/conv1/weights because "
                                   "scope.reuse_variables() was called")
    assert found[0].why.startswith("weights is image_filters/conv1/weights:")


def test_the_line_tf_stopped_at_is_asked_too_and_its_answer_is_error() -> None:
    variable = VariableEvent("body/w:0", "body/w", "created", "tf.get_variable", None, [3],
                             "float32", True, [], None, False, "body", "body", 2)
    trace = Trace(events=[variable], error=ErrorInfo(
        "ValueError", "Variable head/w does not exist, or was not created with "
        "tf.get_variable(). Did you mean to set reuse=tf.AUTO_REUSE in VarScope?", 3, 5))
    found = questions(trace, "import tensorflow as tf\nw = f()\nw2 = g()\n")
    assert [(q.line, q.answer, q.code) for q in found] == [
        (2, "body/w:0", "w = f()"), (3, ERROR_ANSWER, "w2 = g()")]
    assert found[1].why.startswith("TF stopped here: ValueError: Variable head/w does not "
                                   "exist")
    assert [m.right for m in check(found, ["body/w", "Error"])] == [True, True]


def test_answers_are_compared_as_names() -> None:
    assert normalized("nsc1/v1") == "nsc1/v1:0"
    assert normalized(" 'nsc1/v1:0' ") == "nsc1/v1:0"
    assert normalized("ERROR") == ERROR_ANSWER
    assert normalized("") == ""
    found = questions(load_trace(SEED_1), GALLERY.examples[SEED_1].source)
    assert [m.right for m in check(found, ["nsc1/v1:1", "", "vsc1/v3:0"])] == [
        False, False, True, False]  # a wrong output index, empty, right, none given
    assert [exercise.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st"]


def test_every_exercise_is_an_example_and_the_seed_comes_first() -> None:
    assert set(exercise.EXERCISES) <= set(GALLERY.examples)
    assert exercise.EXERCISES[0] == SEED_1
    assert len([s for s in exercise.EXERCISES if not s.startswith("seed")]) >= 6


def test_an_exercise_link_opens_the_exercise_and_asks_for_its_run() -> None:
    state: dict = {}
    session.open_link(state, {"exercise": "auto_reuse"}, GALLERY, hosted=False)
    assert state["view"] == exercise.EXERCISE
    assert state["exercise"] == state["exercise_choice"] == "auto_reuse"
    assert state["exercise_source"] == GALLERY.examples["auto_reuse"].source
    assert state["exercise_requested"] is True
    assert session.address(state, GALLERY) == {"exercise": "auto_reuse"}


def test_a_linked_own_exercise_waits_for_its_button_off_a_hosted_server() -> None:
    text = "v = tf.Variable(1, name='mine')\n"
    query = {"exercise": exercise.OWN, "snippet": session.encode_snippet(text)}
    state: dict = {}
    session.open_link(state, query, GALLERY, hosted=False)
    assert state["exercise_source"] == text
    assert state["exercise_waiting"] is True and not state.get("exercise_requested")
    session.start_shared_exercise(state)
    assert state["exercise_requested"] is True
    assert session.address(state, GALLERY) == query
    hosted: dict = {}
    session.open_link(hosted, query, GALLERY, hosted=True)
    assert hosted["exercise_requested"] is True and not hosted["exercise_waiting"]


def test_an_unknown_exercise_says_so_as_text() -> None:
    state: dict = {}
    session.open_link(state, {"exercise": "<b>x</b>"}, GALLERY, hosted=False)
    assert state["link_error"] == "there is no exercise named '<b>x</b>'"


def test_the_editors_text_becomes_an_exercise_and_check_marks_its_answers() -> None:
    state: dict = {}
    session.open_link(state, {}, GALLERY, hosted=False)
    exercise.own_exercise(state, GALLERY)  # an unchanged example: that example's exercise
    assert state["exercise"] == SEED_1 and state["view"] == exercise.EXERCISE
    state["source"] = "mine = 1\n"
    exercise.own_exercise(state, GALLERY)
    assert state["exercise"] == exercise.OWN and state["exercise_source"] == "mine = 1\n"
    state["exercise_source"] = GALLERY.examples[SEED_1].source
    exercise.take_exercise_run(state, load_trace(SEED_1))  # the run that says what to ask
    assert state["exercise_marks"] is None
    state[exercise.answer_key(state, 4)] = "nsc1_1/v4:0"
    exercise.request_check(state)
    exercise.take_exercise_run(state, load_trace(SEED_1))
    assert score(state["exercise_marks"]) == "1 of 4 right"
    generation = state["exercise_gen"]
    exercise.restart_exercise(state)
    assert state["exercise_gen"] == generation + 1 and state["exercise_marks"] is None
