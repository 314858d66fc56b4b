"""The One-snippet page: the editor beside the results of its last run (graph, variables,
why-sentences, output, checkpoint check), downloads and the share link."""

from __future__ import annotations

from dataclasses import replace
from typing import Callable
from urllib.parse import urlencode

import streamlit as st

from viz.backend.drawing import draw, refused
from viz.core import session
from viz.core.editor import editor_props
from viz.core.escape import markdown_text
from viz.core.exercise import own_exercise
from viz.core.export import MIME_TYPES, text_export
from viz.core.gallery import Gallery
from viz.core.names import TF1
from viz.core.pending import finished, serve
from viz.core.render import with_legend
from viz.core.session import Results
from viz.core.trace import Trace
from viz.core.view import RenderOptions
from viz.ui import server
from viz.ui.checkpoint_panel import checkpoint_panel, uploaded_checkpoint
from viz.ui.downloads import Download, download_row
from viz.ui.drawing import drawing_source
from viz.ui.editor_widget import editor
from viz.ui.layout import MODES, link_problem, share_box, shared_code_gate, top_row
from viz.ui.room import room_bar, start_button
from viz.ui.sidebar import sidebar
from viz.ui.tabs.checkpoint import checkpoint_tab
from viz.ui.tabs.graph import graph_tab
from viz.ui.tabs.output import output_tab
from viz.ui.tabs.variables import variables_tab
from viz.ui.tabs.why import why_tab

EDITOR_ROWS = (16, 22)  # the editor's fewest and most lines on screen
state = st.session_state


def run_current(config: server.Settings, gallery: Gallery) -> None:
    """Runs the editor's text (reading the uploaded checkpoint, if any, in the same run); the
    result (or failure) lands in session state and the request is closed. A rerun that
    interrupts this finds the finished run in ``finished_run`` (see :mod:`viz.core.pending`)."""
    pool = server.worker_pool(config.hosted)
    source = state.source
    mode = state.get("mode", TF1)
    timeout = state.get("time_limit", config.timeout)
    files = uploaded_checkpoint()
    uploads = tuple(f.file_id for f in state.get("checkpoint_upload") or [])  # files' source
    with serve(state, "run_requested", "finished_run") as box:
        server.wait_for_tensorflow(pool)
        with st.spinner("Running in TensorFlow..." if mode == TF1 else
                        "Running in TensorFlow 2 (the first TF2 run starts its worker)..."):
            trace = finished(box, (source, mode, timeout, uploads),
                             lambda: server.run(pool, source, "snippet.py", mode, timeout, files))
        session.take_run(state, trace, source)


def header(gallery: Gallery) -> None:
    """The title, the example picker and what the chosen example shows."""
    title, picker, loader, practice = st.columns([6, 6, 2, 2], vertical_alignment="bottom")
    title.markdown("#### ScopeViz")
    title.caption("How TensorFlow 1 names variables: name scopes, variable scopes, reuse, `_N`."
                  if state.mode == TF1 else "How TensorFlow 2 names variables: eager names, "
                  "Keras counters, weight paths, checkpoint keys.")
    titles = {e.stem: e.title for e in gallery.by_mode[state.mode]}
    # No visible label: it came with the widget's lazily loaded code and moved the row.
    chosen = picker.selectbox("Example", list(titles), format_func=titles.get,
                              key="gallery_choice", persist_state="session",
                              label_visibility="collapsed")
    loader.button("Load", key="load_example", width="stretch", type="secondary",
                  on_click=lambda: session.load_example(state, gallery, state.gallery_choice),
                  help="Loads the chosen example into the editor and runs it (your text stays "
                       "recoverable)")
    practice.button("Exercise", key="to_exercise", width="stretch", type="secondary",
                    disabled=bool(state.get("shared_waiting")),
                    on_click=own_exercise, args=(state, gallery),
                    help="Predict the names: the code in the editor as an exercise")
    st.caption(gallery.examples[chosen].explanation)
    link_problem()


def editor_column(config: server.Settings, gallery: Gallery) -> Results | None:
    """The editor with its marks, after serving a requested run; returns what to show."""
    if state.get("shared_waiting"):
        shared_code_gate("the code below", "Run this shared snippet", "run_shared",
                         session.run_shared, (state,))
    editor_key = session.editor_key(state)
    # What the editor reported and the Run button asked for reach this rerun before the
    # editor is drawn: run first, so the editor shows this run's error marks.
    session.take_editor_response(state, state.get(editor_key))
    session.gate_shared(state)
    if state.get("run_requested"):
        run_current(config, gallery)
    results = session.results(state)
    if results is not None:
        if results.steps:
            session.settle_step(state, len(results.steps))
        # The address first: sent after the step's text, it lagged the step shown.
        st.query_params.from_dict(session.address(state, gallery))
    ran_this = results is not None and results.ran_this
    line_count = state.source.count("\n") + 1
    reported = state.source
    session.take_editor_response(state, editor(
        state.editor_text, editor_key, EDITOR_ROWS, line_count,
        editor_props(results.trace.error if ran_this else None,
                     results.focus_lines(state.get("step", 1)) if results else [],
                     line_count)))
    if state.source != reported:  # the address keeps the text the editor just reported
        st.query_params.from_dict(session.address(state, gallery))
    st.caption("Ctrl+Enter runs; Tab and Shift+Tab indent; Escape, then Tab, leaves the "
               "editor; click a line to outline in the graph what it made.")
    if results is not None and not ran_this:
        st.caption("Edited since the last run: the results show the code as it ran.")
    if state.get("undo_source") is not None:
        st.button("Restore the text you had before loading the example", key="restore",
                  icon=":material/undo:", on_click=session.restore_edits, args=(state,))
    checkpoint_panel(results.trace if results else None, config.hosted)
    return results


def downloads(trace: Trace, dot: str, options: RenderOptions, drawable: bool) -> None:
    """The drawing and the trace as files: the text files with the page, the drawings on the
    click (see :mod:`viz.ui.downloads`)."""
    st.subheader("Download")
    # Downloaded drawings carry their own legend; the page has one above the graph.
    drawing_dot = with_legend(dot, options)
    files: dict[str, bytes | str | Callable[[], bytes]] = {
        "svg": lambda: draw(drawing_dot, "svg"), "png": lambda: draw(drawing_dot, "png")} \
        if drawable else {}
    files |= {"dot": drawing_dot.encode("utf-8"), "csv": text_export(trace, "csv"),
              "json": text_export(trace, "json")}
    download_row([Download(fmt.upper(), data, f"scopeviz.{fmt}", MIME_TYPES[fmt],
                           f"download_{fmt}") for fmt, data in files.items()])


def page() -> None:
    config = server.settings()
    gallery = server.gallery()
    options = sidebar(config)
    actions = top_row(gallery)
    actions.segmented_control(
        "Mode", list(MODES), key="mode", format_func=MODES.get, persist_state="session",
        on_change=session.switch_mode, args=(state, gallery), label_visibility="collapsed",
        help="TF1: `import tensorflow` is compat.v1 in graph mode. TF2: real TF2, eager, with "
             "Keras 3 (a line `# scopeviz: legacy-keras` picks tf-keras).")
    actions.button("Present", key="present", icon=":material/co_present:",
                   on_click=session.present, args=(state, True),
                   help="the code and the graph side by side in large type, step by step")
    start_button(actions)
    if not state.get("shared_waiting"):
        actions.button("Run", key="run", type="primary", shortcut="ctrl+enter",
                       on_click=session.request_run, args=(state,))
    room_bar(gallery)
    header(gallery)
    workspace = st.container(key="workspace")
    left, result_column = workspace.columns([1, 1], gap="medium")
    with left:
        results = editor_column(config, gallery)
    if results is None:
        result_column.info("Read the shared code, then press Run this shared snippet."
                           if state.get("shared_waiting")
                           else "Pick an example or write a snippet, then press Run.")
        return
    trace = results.trace
    if trace.error is not None:  # beside the editor, above the fold, with its line
        result_column.container(key="run_error").error(markdown_text(trace.error.describe()))
    options = replace(options, marks=results.marks)
    tab_names = ["Graph", "Variables", "Why these names", "Output"] + (
        ["Checkpoint"] if results.checked else [])
    # Only the open tab is built: a click on another reruns the page for it. Built together,
    # the closed tabs were a fifth of a run's time on the server (the table's conversion
    # above all) and more elements for the browser to lay out, on every run.
    graph, table, why, output, *more = result_column.tabs(tab_names, key="result_tab",
                                                           on_change="rerun")
    dot = drawing_source(results.shown, options)
    drawable = not refused(dot)
    if graph.open:
        with graph:
            drawable = graph_tab(results, options)
    if table.open:
        with table:
            variables_tab(trace, results.base)
    if why.open:
        with why:
            why_tab(trace)
    if output.open:
        with output:
            output_tab(trace)
    if results.checked and more[0].open:
        with more[0]:
            checkpoint_tab(trace, results.checked)
    downloads(trace, dot, options, drawable)
    share_box(urlencode(session.share_query(state, gallery, state.ran_source)))
