"""The Compare page: two editors, both scope trees coloured by how their variables map
(same, renamed, changed, only in one), the mapping as a table and as the assignment map a
checkpoint of A needs to load into B. Each side runs in its own mode, chosen above its editor
(a TF1 model beside its TF2 migration; TF2 runs compared as :func:`viz.core.diff.compared`
says). Wires widgets only: the mapping is :mod:`viz.core.diff`.
"""

from __future__ import annotations

import json
from dataclasses import replace
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from viz.core import session
from viz.core.diff import (
    CHANGED,
    ONLY_A,
    ONLY_B,
    RENAMED,
    SAME,
    compared,
    diff,
    diff_rows,
    marks,
)
from viz.core.diff import to_dict as diff_dict
from viz.core.editor import editor_props
from viz.core.escape import markdown_text
from viz.core.export import dot_source
from viz.core.names import TF1
from viz.core.pending import finished, serve
from viz.core.render import legend_html
from viz.core.session import SIDES, Comparison
from viz.core.trace import Trace
from viz.core.view import RenderOptions
from viz.ui import server
from viz.ui.downloads import Download, download_row
from viz.ui.drawing import svg_or_message
from viz.ui.editor_widget import editor
from viz.ui.graph_view import graph_view
from viz.ui.layout import MODES, link_problem, share_box, shared_code_gate, top_row
from viz.ui.room import room_bar
from viz.ui.sidebar import sidebar

EDITOR_ROWS = (8, 12)
state = st.session_state


def page() -> None:
    """The whole Compare page: each snippet runs in its side's mode, both in the session's
    time limit."""
    config = server.settings()
    gallery = server.gallery()
    options = sidebar(config)
    actions = top_row(gallery)
    room_bar(gallery)
    st.markdown("#### ScopeViz: compare two snippets")
    st.caption("Run two versions of a model (a refactor, a migration) and map A's variables "
               "onto B's: what kept its name, what was renamed and why, and the assignment map "
               "that loads A's checkpoint into B. Each side runs in its own mode: a TF1 model "
               "can be set beside its TF2 migration.")
    link_problem()
    if not state.get("compare_waiting"):
        actions.button("Compare", key="compare", type="primary", shortcut="ctrl+enter",
                       on_click=session.request_compare, args=(state,),
                       help="runs both snippets and maps A's variables to B's")
    for side in SIDES:
        key = session.compare_editor_key(state, side)
        session.take_compare_response(state, side, state.get(key))
    if state.get("compare_waiting"):
        shared_code_gate("the two snippets below", "Compare these shared snippets",
                         "compare_shared", session.request_compare, (state,))
    if state.get("compare_requested"):
        texts = (state.compare_a, state.compare_b)
        modes = tuple(side_mode(side) for side in SIDES)
        timeout = state.get("time_limit", config.timeout)
        with serve(state, "compare_requested", "finished_pair") as box:
            with st.spinner("Running both snippets in TensorFlow..."):
                a, b = finished(box, (*texts, *modes, timeout),
                                lambda: compared(run(config, modes[0], timeout, texts[0], "A.py"),
                                                 run(config, modes[1], timeout, texts[1], "B.py")))
            state.compared = Comparison(a, b, diff(a, b), *texts, modes)
            st.query_params.from_dict(session.compare_query(state))
    done: Comparison | None = state.get("compared")
    with st.container(key="compare_editors"):
        columns = st.columns(2, gap="medium")
    for side, column in zip(SIDES, columns):
        with column:
            heading = st.container(horizontal=True, vertical_alignment="center")
            heading.markdown(f"**{side.upper()}** runs in")
            heading.segmented_control(
                f"{side.upper()} runs in", list(MODES), key=f"compare_mode_{side}",
                format_func=MODES.get, required=True, persist_state="session",
                label_visibility="collapsed",
                on_change=lambda: st.query_params.from_dict(session.compare_query(state)))
            trace = done.trace(side) if done else None
            ran = trace is not None and done.source(side) == state[f"compare_{side}"] \
                and done.mode(side) == side_mode(side)
            line_count = state[f"compare_{side}"].count("\n") + 1
            session.take_compare_response(state, side, editor(
                state[f"compare_text_{side}"], session.compare_editor_key(state, side),
                EDITOR_ROWS, line_count,
                editor_props(trace.error if ran and trace else None, [], line_count)))
            if ran and trace is not None and trace.error is not None:
                st.error(markdown_text(trace.error.describe()))
    if done is None:
        st.info("Write or paste two versions of a model, then press Compare.")
        return
    _results(done, options)
    share_box(urlencode(session.compare_query(state)))


def side_mode(side: str) -> str:
    return state.get(f"compare_mode_{side}") or TF1


def run(config: server.Settings, mode: str, timeout: float, source: str, filename: str) -> Trace:
    """One side's run. Once TF is up, no Streamlit call (see :mod:`viz.core.pending`)."""
    pool = server.worker_pool(config.hosted)
    server.wait_for_tensorflow(pool)
    return server.run(pool, source, filename, mode, timeout)


def _results(done: Comparison, options: RenderOptions) -> None:
    a, b, report = done.a, done.b, done.report
    st.markdown(markdown_text(
        f"{len(report.same)} same, {len(report.renamed)} renamed, {len(report.changed)} "
        f"changed, {len(report.only_a)} only in A, {len(report.only_b)} only in B."))
    side_marks = {side: marks(report, trace, side) for side, trace in zip(SIDES, (a, b))}
    counts = {SAME: len(report.same), RENAMED: len(report.renamed),
              CHANGED: len(report.changed), ONLY_A: len(report.only_a),
              ONLY_B: len(report.only_b)}
    st.html(legend_html({}, {mark: n for mark, n in counts.items() if n}))
    with st.container(key="compare_graphs"):
        columns = st.columns(2, gap="medium")
    for side, trace, column in zip(SIDES, (a, b), columns):
        with column:
            st.caption(f"{side.upper()} ({MODES[done.mode(side)]}): "
                       f"{len(trace.variables)} variables")
            svg = svg_or_message(dot_source(trace, replace(options, marks=side_marks[side])),
                                 "The name filter or the depth limit in the sidebar draw a "
                                 "part of it.")
            if svg is not None:
                graph_view(svg, key=f"compare_graph_{side}")
    st.dataframe(pd.DataFrame(diff_rows(report)), hide_index=True, width="stretch",
                 column_config={"reason": st.column_config.TextColumn(width="large")})
    download_row([
        Download("assignment_map (JSON)", json.dumps(report.assignment_map, indent=2) + "\n",
                 "assignment_map.json", "application/json", "download_compare_map",
                 "A's checkpoint keys -> B's variables: the dict for "
                 "tf.train.init_from_checkpoint(a_checkpoint, assignment_map) in B's code"),
        Download("Full comparison (JSON)", json.dumps(diff_dict(report, a, b), indent=2)
                 + "\n", "diff.json", "application/json", "download_compare")])
