"""The presenter view (``&present=1`` or the Present button): the snippet and its graph side
by side in large type, the step's sentence under them, Back/Play/Next (and the arrow keys)
above; its full screen keeps all three. Read only: the presenter edits in the One-snippet
view, which Exit returns to."""

from __future__ import annotations

import streamlit as st

from viz.core import session
from viz.core.escape import markdown_text
from viz.core.room import FOLLOWER
from viz.core.steps import trace_at
from viz.ui import server
from viz.ui.code_view import code_view
from viz.ui.drawing import drawing_source, svg_or_message
from viz.ui.graph_view import graph_view
from viz.ui.layout import shared_code_gate
from viz.ui.pages.one_snippet import run_current
from viz.ui.room import room_bar, start_button
from viz.ui.sidebar import sidebar
from viz.ui.tabs.graph import step_buttons, step_sentence, ticker

# The panels fill the window's height less what is above and below them: at 1366x768 with
# the browser at 125% (1093x614 CSS px), nothing needed is below the fold.
ABOVE_AND_BELOW_PX = 290  # the page's header, the bar, the sentence
ROOM_BAR_PX = 56  # a live room's line above the bar
TOOLBAR_PX = 25  # the explorer's toolbar: the graph's box is this much shorter
# A run's error (a timeout on a busy server, TF's ValueError) takes one line of the
# sentence's type above the sentence (cut with an ellipsis; Exit shows it whole).
SENTENCE_FONT = "clamp(18px, 1.35vw, 32px)"
ERROR_LINE = f"({SENTENCE_FONT} * 1.35 + 1rem)"
# Large type for the room (the code's size is in code_view.css, the graph's in graph_view.js).
STYLE = """<style>
.st-key-present_bar button p { font-size: 1.15rem; }
.st-key-present_bar [data-testid="stMarkdownContainer"] p { font-size: 1.25rem; margin: 0; }
.st-key-present_sentence p { font-size: FONT; line-height: 1.35; }
.st-key-present_error p { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
</style>""".replace("FONT", SENTENCE_FONT)
state = st.session_state


def controls(count: int) -> None:
    """Back, Play/Pause, Next (the arrow keys too), where the step is, and Exit; only Exit
    when the run has no steps."""
    with st.container(key="present_bar", horizontal=True, vertical_alignment="center"):
        st.markdown("**ScopeViz**")
        if count:
            step_buttons((st, st, st), "present", count)
            st.markdown(f"Step {state.step} of {count}")
        st.space("stretch")
        start_button(st)
        st.button("Exit", key="present_exit", icon=":material/close:",
                  on_click=session.present, args=(state, False),
                  help="back to the editor (the step stays)")


def page() -> None:
    """The presenter's view, and a follower's: the presenter's page without the controls (a
    light page: each change of the presenter's reruns every follower's)."""
    config = server.settings()
    gallery = server.gallery()
    options = sidebar(config)
    following = state.get("room_role") == FOLLOWER
    st.html(STYLE)
    room_bar(gallery, compact=True)
    session.gate_shared(state)
    if state.get("shared_waiting"):
        shared_code_gate("this code", "Run this shared snippet", "run_shared",
                         session.run_shared, (state,))
    if state.get("run_requested"):
        run_current(config, gallery)
    results = session.results(state)
    if results is None:
        return
    st.query_params.from_dict(session.address(state, gallery))
    step = None
    if results.steps:
        count = len(results.steps)
        session.settle_step(state, count)
        step = results.steps[state.step - 1]
    if not following:
        controls(len(results.steps))
    error = results.trace.error
    taken = (f"{ABOVE_AND_BELOW_PX + (ROOM_BAR_PX if state.get('room') else 0)}px"
             + (f" + {ERROR_LINE}" if error is not None else ""))
    code, graph = st.columns([1, 1], gap="small")
    with code:
        code_view(state.ran_source, step.line if step else None, key="present_code",
                  height=f"calc(100vh - ({taken}))")
    with graph:
        shown = trace_at(results.base, step.index) if step else results.shown
        svg = svg_or_message(drawing_source(shown, options),
                             "Exit shows the run's variables in its tables.")
        if svg is not None:
            graph_view(svg, key="present_graph", focus=[step.focus] if step else None,
                       reveal=step is not None,
                       present=f"calc(100vh - ({taken} + {TOOLBAR_PX}px))")
    with st.container(key="present_sentence"):
        if error is not None:
            with st.container(key="present_error"):
                st.markdown(markdown_text(error.describe().splitlines()[0]))
        if step is not None:
            st.markdown(step_sentence(step, len(results.steps)))
    if state.get("playing") and step is not None and not following:
        ticker(len(results.steps))
