"""The Exercise page: predict the names. The snippet beside an input per variable it makes or
reuses; Check runs it in TF and marks each answer, with the why-sentence of every miss. What
to ask and how to mark it is :mod:`viz.core.exercise`; this page wires widgets."""

from __future__ import annotations

import streamlit as st

from viz.core import exercise, session
from viz.core.escape import markdown_text
from viz.core.exercise import EXERCISES, Mark, Question
from viz.core.gallery import Gallery
from viz.core.pending import finished, serve
from viz.ui import server
from viz.ui.layout import link_problem, shared_code_gate, top_row
from viz.ui.room import room_answers, room_bar, share_answers, start_button
from viz.ui.sidebar import sidebar

state = st.session_state


def run_exercise(config: server.Settings) -> None:
    """Runs the exercise's snippet (to learn what to ask, or on Check to mark the answers)."""
    pool = server.worker_pool(config.hosted)
    source, mode = state.exercise_source, state.exercise_mode
    timeout = state.get("time_limit", config.timeout)
    with serve(state, "exercise_requested", "finished_exercise") as box:
        server.wait_for_tensorflow(pool)
        with st.spinner("Running in TensorFlow..."):
            trace = finished(box, (source, mode, timeout, state.get("exercise_checking")),
                             lambda: server.run(pool, source, "snippet.py", mode, timeout))
        checking = state.get("exercise_checking")
        exercise.take_exercise_run(state, trace)
        if checking:
            share_answers(state.exercise_marks)


def picker(gallery: Gallery) -> None:
    """The exercises, easiest first (and the one open, when it is another example or the
    learner's own snippet)."""
    choices = list(EXERCISES)
    if state.exercise not in choices:
        choices.append(state.exercise)
    titles = {stem: f"{number}. {gallery.examples[stem].title}" if stem in gallery.examples
              else "Your own snippet" for number, stem in enumerate(choices, start=1)}
    st.selectbox("Exercise", choices, format_func=titles.get, key="exercise_choice",
                 on_change=exercise.choose_exercise, args=(state, gallery))


def question_row(question: Question, mark: Mark | None) -> None:
    """One input, labelled with its line; once checked, right or wrong and why."""
    st.text_input(markdown_text(question.label), key=exercise.answer_key(state, question.number),
                  placeholder="the full name, e.g. scope/name:0" if question.answer
                  != exercise.ERROR_ANSWER or mark is None else "")
    if mark is None:
        return
    if mark.right:
        st.markdown(f":green[**Right**]: {markdown_text(question.answer)}")
    else:
        expected = ("TF raises an error here" if question.answer == exercise.ERROR_ANSWER
                    else f"TF names it {question.answer}")
        st.markdown(f":red[**Not quite**]: {markdown_text(expected)}. "
                    f"{markdown_text(question.why)}")


def questions_column() -> None:
    """The questions of the last run, and the score once checked."""
    trace = state.get("exercise_trace")
    if trace is None:
        st.info("Press Start to run the linked snippet and see its questions."
                if state.get("exercise_waiting") else "Preparing the questions...")
        return
    found = exercise.questions(trace, state.exercise_source)
    if not found:
        st.info("This snippet makes no variables: there is nothing to predict.")
        return
    room_answers(found)
    marks = state.get("exercise_marks")
    if marks is not None:
        right = sum(m.right for m in marks)
        (st.success if right == len(marks) else st.warning)(exercise.score(marks))
    with st.form("answers", border=False, enter_to_submit=False):
        for question in found:
            question_row(question, marks[question.number - 1]
                         if marks is not None and question.number <= len(marks) else None)
        st.form_submit_button("Check", type="primary", on_click=exercise.request_check,
                              args=(state,), help="runs the snippet in TensorFlow and marks "
                                                  "each answer")


def page() -> None:
    config = server.settings()
    gallery = server.gallery()
    sidebar(config)
    actions = top_row(gallery)
    if state.get("exercise") is None:
        exercise.open_exercise(state, gallery, EXERCISES[0])
    actions.button("Try again", key="exercise_again", icon=":material/restart_alt:",
                   on_click=exercise.restart_exercise, args=(state,),
                   help="the same exercise with empty answers")
    start_button(actions)
    room_bar(gallery)
    st.markdown("#### Predict the names")
    st.caption("For each variable the code makes or reuses, in the order TensorFlow sees "
               "them, type the full name you expect (like `nsc1_1/v4:0`; `:0` may be left "
               "out), or `error` where TF refuses. Check runs the code and marks each answer.")
    picker(gallery)
    link_problem()
    if state.get("exercise_waiting"):
        shared_code_gate("the code below", "Start this shared exercise", "start_exercise",
                         session.start_shared_exercise, (state,))
    if state.get("exercise_requested"):
        run_exercise(config)
    st.query_params.from_dict(session.address(state, gallery))
    code, answers = st.container(key="workspace").columns([1, 1], gap="medium")
    code.code(state.exercise_source, language="python", line_numbers=True, wrap_lines=True)
    with answers:
        questions_column()
