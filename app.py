"""ScopeViz in the browser: ``streamlit run app.py``. Wires widgets to viz; no naming logic here."""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections import Counter
from dataclasses import replace
from functools import partial
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from viz import Trace, WorkerPool
from viz.backend.drawing import draw as drawn
from viz.backend.execute import DrawingFailed
from viz.core.checkpoint import report_rows
from viz.core.checkpoint import to_dict as checkpoint_dict
from viz.ui.compare_page import compare_page
from viz.ui.downloads import Download, download_row
from viz.core.editor import editor_props
from viz.ui.editor_widget import editor
from viz.core.escape import markdown_text
from viz.core.details import Details, boxes_by_line, node_details
from viz.core.explain import as_markdown, explain
from viz.core.export import MIME_TYPES, dot_source, inline_svg, text_export
from viz.core import session
from viz.core.gallery import Gallery, load_galleries
from viz.ui.graph_view import graph_view
from viz.core.render import counts_text, legend_html, with_legend
from viz.core.pending import finished, serve
from viz.core.steps import Step, steps, trace_at
from viz.core.tables import layer_rows, rows, status_counts, tf2_rows
from viz.core.trace import STATUSES, TF1, TF2
from viz.core.tree import build_tree
from viz.core.upload import UPLOAD_LIMIT, BadUpload, checkpoint_files, write_checkpoint
from viz.core.view import (
    DRAWN_DEPTH,
    RenderOptions,
    build_view,
    deeper_than_drawn,
    filter_matches,
    find_group,
    openable,
    tf2_marks,
)

# The sidebar holds settings only (examples are above the editor): closed, it leaves a laptop
# or an 800 px window to the editor and the graph.
st.set_page_config(page_title="ScopeViz", layout="wide", initial_sidebar_state="collapsed")
HOSTED = os.environ.get("SCOPEVIZ_HOSTED") == "1"
TIMEOUT = float(os.environ.get("SCOPEVIZ_TIMEOUT", "10"))
# A longer limit a visitor may choose for one run; the default when the server sets none.
MAX_TIMEOUT = max(TIMEOUT, float(os.environ.get("SCOPEVIZ_MAX_TIMEOUT", "0")))
STARTUP_ESTIMATE_S = 6.0
EDITOR_ROWS = (16, 22)  # the editor's fewest and most lines on screen


@st.cache_resource
def worker_pool(hosted: bool) -> WorkerPool:
    """The server's warm TF zygote and its runs (SCOPEVIZ_WORKERS runs at once, default four
    per core), started on the first page load and shared by every browser session."""
    size = int(os.environ.get("SCOPEVIZ_WORKERS", "0")) or None
    pool = WorkerPool(size=size, hosted=hosted)
    pool.start()
    return pool


@st.cache_resource
def examples_gallery() -> Gallery:
    """The examples of each mode, read once per server (they are part of the app)."""
    return load_galleries()


gallery = examples_gallery()
MODES = {TF1: "TF1", TF2: "TF2"}
state = st.session_state
pool = worker_pool(HOSTED)


def wait_for_tensorflow() -> None:
    """On a fresh server the first run waits for TF to import: show that, with progress."""
    if pool.ready:
        return
    started = time.monotonic()
    bar = st.progress(0.0, text="Starting TensorFlow, about 5 s (once per server)...")
    while not pool.ready and time.monotonic() - started < 180:
        elapsed = time.monotonic() - started
        bar.progress(min(elapsed / STARTUP_ESTIMATE_S, 0.95),
                     text=f"Starting TensorFlow, about 5 s (once per server)... {elapsed:.0f} s")
        time.sleep(0.25)
    bar.empty()


def uploaded_checkpoint() -> dict[str, bytes] | None:
    """The checkpoint files uploaded in the Checkpoint panel (None: none); a bad upload is
    said in the panel and checks nothing."""
    uploads = state.get("checkpoint_upload") or []
    return session.check_upload(state, [(f.file_id, f.name, f.getvalue()) for f in uploads],
                                checkpoint_files, BadUpload)


def run_current() -> None:
    """Runs the editor's text (reading the uploaded checkpoint, if any, in the same run); the
    result (or failure) lands in session state and the request is closed. A rerun that
    interrupts this finds the finished run in ``finished_run`` (see :mod:`viz.core.pending`)."""
    source = state.source
    mode = state.get("mode", TF1)
    timeout = state.get("time_limit", TIMEOUT)
    files = uploaded_checkpoint()
    uploads = tuple(f.file_id for f in state.get("checkpoint_upload") or [])  # files' source

    def run() -> Trace:  # no Streamlit call in here: see viz.core.pending
        if files is None:
            return pool.run(source, filename="snippet.py", timeout=timeout, mode=mode)
        with tempfile.TemporaryDirectory(prefix="scopeviz-upload-") as folder:
            return pool.run(source, filename="snippet.py", timeout=timeout,
                            checkpoint=write_checkpoint(files, folder), mode=mode)

    with serve(state, "run_requested", "finished_run") as box:
        wait_for_tensorflow()
        with st.spinner("Running in TensorFlow..." if mode == TF1 else
                        "Running in TensorFlow 2 (the first TF2 run starts its worker)..."):
            trace = finished(box, (source, mode, timeout, uploads), run)
        session.take_run(state, trace, source)
        st.query_params.from_dict(session.share_query(state, gallery, source))


def drawing_source(trace: Trace, options: RenderOptions) -> str:
    return session.cached_dot(state, trace, options, dot_source)


def checkpoint_panel(trace: Trace | None) -> None:
    """Upload a checkpoint: each run then reads it and the results show what restores."""
    uploads = state.get("checkpoint_upload")
    where = ("inside the run's sandbox, which alone can open them" if HOSTED
             else "by the run")
    with st.expander("Check against a checkpoint", expanded=bool(uploads),
                     icon=":material/fact_check:"):
        st.file_uploader(
            "Checkpoint files", accept_multiple_files=True, key="checkpoint_upload",
            on_change=session.request_run, args=(state,),
            help="model.ckpt-1000.index, model.ckpt-1000.data-00000-of-00001, or a zip")
        st.caption(f"Upload the checkpoint's `.index` file (enough for a TF1 checkpoint: "
                   f"keys, shapes, dtypes) and, for a TF2 checkpoint, its `.data-...` file "
                   f"too, or one zip of them: up to {UPLOAD_LIMIT // 2**20} MB in all. They "
                   f"are read {where} and deleted when it ends.")
        if state.get("mode") == TF2:
            st.caption("TF2 mode checks what `tf.train.Checkpoint(root=ckpt_root).restore()` "
                       "would do: leave your model in a variable `ckpt_root`.")
        if state.get("upload_error"):
            st.error(markdown_text(f"Not checked: {state.upload_error}"))
        elif trace is not None and trace.checkpoint_error:
            st.error(markdown_text(f"The checkpoint could not be read: "
                                   f"{trace.checkpoint_error}"))
        elif trace is not None and state.get("check_problem"):
            st.warning(markdown_text(f"Not checked: {state.check_problem}"))
        elif uploads and trace is not None and trace.checkpoint is not None:
            st.caption("Results: the graph's colours and the Checkpoint tab.")


def run_one(source: str, filename: str, mode: str, timeout: float) -> Trace:
    """One run for the Compare view. Once TF is up, no Streamlit call (see viz.core.pending)."""
    wait_for_tensorflow()
    return pool.run(source, filename=filename, timeout=timeout, mode=mode)


def svg_or_message(dot: str) -> str | None:
    """The drawing as inline SVG, or None after saying why it could not be drawn."""
    try:
        return inline_svg(drawn(dot, "svg"))
    except DrawingFailed as exc:
        st.error(markdown_text(f"The graph could not be drawn: {exc}. The name filter or the "
                               "depth limit in the sidebar draw a part of it."))
        return None


if "source" not in state:
    session.open_link(state, st.query_params.to_dict(), gallery, HOSTED)

with st.sidebar:
    st.header("Mode")
    st.caption("TF1: `import tensorflow as tf` is `tensorflow.compat.v1` in graph mode. TF2: "
               "real TF2 with Keras 3. Every run gets a fresh process (the switch is at the "
               "top of the page).")
    if HOSTED:
        st.caption("Hosted: runs cannot touch files, the network or other processes.")
    if MAX_TIMEOUT > TIMEOUT:
        st.slider("Time limit (s)", min_value=TIMEOUT, max_value=MAX_TIMEOUT, value=TIMEOUT,
                  step=1.0, key="time_limit",
                  help="A big model may need longer than the default; the server allows up "
                       f"to {MAX_TIMEOUT:g} s.")
    else:
        st.caption(f"Each run may take {TIMEOUT:g} s.")
    st.header("Render")
    show_ops = st.checkbox("Show ops", value=False)
    collapse = st.checkbox("Collapse repeated series", value=True,
                           help="five or more alike siblings, tower_0 ... tower_7, drawn as "
                                "one node with a count")
    compact_slots = st.checkbox(
        "Slots inside their variable", value=True, key="compact_slots",
        help="optimizer and moving-average slots (w/Adam, w/Adam_1) drawn as a line of w's "
             "box; the Variables tab lists each")
    direction = st.selectbox("Layout direction", ["LR", "TB"],
                             format_func={"LR": "scopes nest left to right",
                                          "TB": "scopes nest top down"}.get,
                             help="Left to right stacks sibling scopes; top down puts them "
                                  "side by side.")
    depth = st.number_input("Depth limit (0: none)", min_value=0, max_value=50, value=0)
    name_filter = st.text_input("Name filter", placeholder="e.g. conv1", key="name_filter")

options = RenderOptions(rankdir=direction, show_ops=show_ops, collapse_series=collapse,
                        max_depth=int(depth) or None, name_filter=name_filter,
                        compact_slots=compact_slots,
                        expand=frozenset(state.get("expand", [])))

# Below 1000 px the editor and the results (and the Compare view's two editors and two
# graphs) stack instead of sharing the width. (The space above the first row is the theme's
# paddingTop in .streamlit/config.toml: a style from st.html arrives with its lazily loaded
# code, seconds late on a busy machine, and everything under it moved.)
ROWS = [f'.st-key-{key} > [data-testid="stLayoutWrapper"] > [data-testid="stHorizontalBlock"]'
        for key in ("workspace", "compare_editors", "compare_graphs")]
st.html('<style>'
        f'@media (max-width: 1000px){{{",".join(ROWS)}{{flex-direction:column}}'
        + ",".join(f'{row} > [data-testid="stColumn"]' for row in ROWS)
        + '{width:100%;flex:1 1 100%}}</style>')


def switch_view() -> None:
    """The address follows the view, so a reload or a copied link opens the same one."""
    st.query_params.from_dict(session.address(state, gallery))


# Run and Compare sit in the first row: above them is nothing whose height arrives late
# (each element's code loads lazily; under load the title, the captions and the editor's
# place came in seconds after the button, and a click aimed at it landed elsewhere).
view_column, action_column = st.columns([1, 1], vertical_alignment="center")
actions = action_column.container(horizontal=True, horizontal_alignment="right",
                                  vertical_alignment="center", key="actions")
view_column.segmented_control("View", list(session.VIEWS), key="view", label_visibility="collapsed",
                              on_change=switch_view)
if state.view == session.COMPARE:
    st.markdown("#### ScopeViz: compare two snippets")
    st.caption("Run two versions of a model (a refactor, a migration) and map A's variables "
               "onto B's: what kept its name, what was renamed and why, and the assignment map "
               "that loads A's checkpoint into B.")
    if state.get("link_error"):
        st.warning(markdown_text(f"Could not open the shared link: {state.link_error}"))
    compare_page(partial(run_one, mode=state.get("mode", TF1),
                         timeout=state.get("time_limit", TIMEOUT)), svg_or_message, options,
                 actions)
    if state.get("compared"):
        st.subheader("Share")
        st.code(f"{(st.context.url or '').split('?')[0]}?{urlencode(session.compare_query(state))}",
                language=None)
    st.stop()
actions.segmented_control(
    "Mode", list(MODES), key="mode", format_func=MODES.get, on_change=session.switch_mode,
    args=(state, gallery),
    label_visibility="collapsed",
    help="TF1: `import tensorflow` is compat.v1 in graph mode. TF2: real TF2, eager, with "
         "Keras 3 (a line `# scopeviz: legacy-keras` picks tf-keras).")
if not state.get("shared_waiting"):
    actions.button("Run", key="run", type="primary", shortcut="ctrl+enter",
                   on_click=session.request_run, args=(state,))
title, picker, loader = st.columns([3, 3, 1], vertical_alignment="bottom")
title.markdown("#### ScopeViz")
title.caption("How TensorFlow 1 names variables: name scopes, variable scopes, reuse, `_N`."
              if state.mode == TF1 else "How TensorFlow 2 names variables: eager names, "
              "Keras counters, weight paths, checkpoint keys.")
titles = {e.stem: e.title for e in gallery.by_mode[state.mode]}
chosen = picker.selectbox("Example", list(titles), format_func=titles.get, key="gallery_choice")
loader.button("Load", key="load_example", width="stretch", type="secondary",
              on_click=lambda: session.load_example(state, gallery, state.gallery_choice),
              help="Loads the chosen example into the editor and runs it (your text stays "
                   "recoverable)")
st.caption(gallery.examples[chosen].explanation)
if state.get("link_error"):
    st.warning(markdown_text(f"Could not open the shared link: {state.link_error}"))

workspace = st.container(key="workspace")
editor_column, result_column = workspace.columns([1, 1], gap="medium")
with editor_column:
    if state.get("shared_waiting"):
        st.info("A shared link brought the code below. Read it first: it runs on this "
                "computer.")
        st.button("Run this shared snippet", key="run_shared", type="primary",
                  on_click=session.run_shared, args=(state,))
    editor_key = session.editor_key(state)
    # What the editor reported and the Run button asked for reach this rerun before the
    # editor is drawn: run first, so the editor shows this run's error marks.
    session.take_editor_response(state, state.get(editor_key))
    session.gate_shared(state)
    if state.get("run_requested"):
        run_current()
    trace: Trace | None = state.get("trace")
    ran_this = trace is not None and state.get("ran_source") == state.source
    # What is drawn: the trace itself, or a TF2 run's variables under their names.
    base: Trace | None = state.get("drawn") or trace
    # What the graph shows: checked against a checkpoint, the trace with its unused keys and
    # the check's colours; a TF2 run, its warnings and keys; else the drawn trace as it is.
    checked = state.get("checked") if trace is not None else None
    shown, marks = (checked.shown, checked.marks) if checked else (
        base, tf2_marks(trace) if trace is not None and trace.mode == TF2 else ())
    # Worked out once per rerun: the editor marks their lines, the Graph tab shows them.
    all_steps = steps(base) if base is not None and state.get("stepping") else []
    selected = (node_details(shown, state.selected, marks)
                if shown is not None and state.get("selected") else None)
    focus_lines: list[int] = []
    if ran_this and all_steps:
        at_step = all_steps[state.get("step", 1) - 1: state.get("step", 1)]
        focus_lines = [s.line for s in at_step if s.line is not None]
    elif ran_this and selected is not None:
        focus_lines = selected.lines
    line_count = state.source.count("\n") + 1
    session.take_editor_response(state, editor(
        state.editor_text, editor_key, EDITOR_ROWS, line_count,
        editor_props(trace.error if ran_this else None, focus_lines, line_count)))
    st.caption("Ctrl+Enter runs; Tab and Shift+Tab indent; click a line to outline in the "
               "graph what it made.")
    if trace is not None and not ran_this:
        st.caption("Edited since the last run: the results show the code as it ran.")
    if state.get("undo_source") is not None:
        st.button("Restore the text you had before loading the example", key="restore",
                  icon=":material/undo:", on_click=session.restore_edits, args=(state,))
    checkpoint_panel(trace)
    error = trace.error if trace is not None else None

if trace is None:
    result_column.info("Read the shared code, then press Run this shared snippet."
                       if state.get("shared_waiting")
                       else "Pick an example or write a snippet, then press Run.")
    st.stop()

if error is not None:  # beside the editor, above the fold, with its line
    result_column.error(markdown_text(error.describe()))
counts = status_counts(base)
options = replace(options, marks=marks)
dot = drawing_source(shown, options)
tab_names = ["Graph", "Variables", "Why these names", "Output"] + (
    ["Checkpoint"] if checked else [])
graph_tab, table_tab, why_tab, output_tab, *more_tabs = result_column.tabs(tab_names)



def show_graph(graph_dot: str, key: str, focus: list[str] | None = None,
               lines: dict[int, list[str]] | None = None) -> bool:
    """The scope tree in the explorer; False, with a message, when it cannot be drawn (the
    other tabs and the text downloads do not need the drawing). A click selects a box; with
    ``lines``, the editor's cursor line outlines what it made."""
    try:
        svg = inline_svg(drawn(graph_dot, "svg"))
    except DrawingFailed as exc:
        st.error(markdown_text(f"The graph could not be drawn: {exc}. The name filter or the "
                               "depth limit in the sidebar draw a part of it; the Variables "
                               "tab and the CSV and JSON downloads have everything."))
        return False
    clicked = graph_view(svg, key=key, focus=focus, search=state.get("graph_search", ""),
                         lines=lines, source=state.get("ran_source"))
    if clicked and clicked != state.get("selected"):
        state.selected = clicked
        st.rerun()  # the editor, drawn above, marks the selected box's lines
    return True


def group_card(shown: Trace, group_id: str) -> None:
    """A clicked series (``layer_[0..11] x12``) or folded scope: open one member in place."""
    group = find_group(build_view(build_tree(shown), options), group_id)
    if group is None or group.id.endswith(":0"):  # gone, or a series of variables
        return
    with st.container(border=True):
        st.markdown(markdown_text(f"{group.label}: {len(group.members)} scopes drawn as one "
                                  f"box ({counts_text(group)})"))
        member = st.selectbox("Open in place", group.members, key="open_member")
        st.button("Open", key="open_member_button", on_click=session.open_scope,
                  args=(state, member))


def details_card(shown: Trace, details: Details | None) -> None:
    """What the clicked box is, with every fact the trace holds and why it has its name."""
    if details is None and state.get("selected"):
        group_card(shown, state.selected)
    if details is None:
        return
    with st.container(border=True):
        head, close = st.columns([5, 1])
        head.markdown(f"**{markdown_text(details.title)}**")
        close.button("Close", key="close_details", on_click=lambda: state.pop("selected", None))
        st.markdown("\n".join(f"- {label}: {markdown_text(value)}"
                              for label, value in details.rows))
        for sentence in details.why:
            st.markdown(markdown_text(sentence))


def open_in_place(shown: Trace) -> None:
    """Lets the user open series members and folded scopes one by one (they stay open for
    later runs that have them)."""
    closed = openable(build_view(build_tree(shown), replace(options, expand=frozenset())))
    chosen = [scope for scope in state.get("expand", []) if scope in closed]
    if closed:
        state.expand = chosen
        st.multiselect("Open in place", closed, key="expand",
                       help="series (layer_[0..11] x12) and scopes folded by the depth limit: "
                            "draw the ones chosen here open, the others stay folded")


def drawing_notes(shown: Trace) -> None:
    """Says when the sidebar's options hide the whole drawing or draw nothing more."""
    if options.name_filter.strip() and shown.variables and not filter_matches(
            [v.name for v in shown.variables], options.name_filter):
        st.warning(markdown_text(f"The name filter {options.name_filter.strip()!r} matches none "
                                 f"of the {len(shown.variables)} variables, so nothing is "
                                 "drawn."))
        st.button("Clear the name filter", key="clear_filter", on_click=session.clear_filter,
                  args=(state,))
    if options.show_ops and not shown.ops:
        st.caption("Show ops: this snippet made no ops outside its variables.")
    if deeper_than_drawn(shown):
        st.caption(f"Scopes nested more than {DRAWN_DEPTH} levels deep are folded into one "
                   "box each (click one to open it a level); the Variables tab lists every "
                   "variable by its full name.")


def step_view(shown: Trace, all_steps: list[Step]) -> None:
    """The naming one event at a time: the graph as it stood after step k, the step's box
    outlined, its line marked in the editor and what happened, in words, beneath."""
    if not all_steps:
        st.caption("This run recorded no naming events to step through.")
        return

    @st.fragment(run_every=1.0 if state.get("playing") else None)
    def stepper() -> None:
        session.play_on(state, len(all_steps))
        # the link first: sent after the step's text, the URL lagged the step shown
        st.query_params.from_dict(session.share_query(state, gallery, state.ran_source))
        back, play, forward, where = st.columns([1, 1, 1, 5], vertical_alignment="center")
        back.button("Back", key="step_back", icon=":material/chevron_left:", shortcut="left",
                    on_click=session.move_step, args=(state, -1), disabled=state.step <= 1)
        play.button("Pause" if state.get("playing") else "Play", key="step_play",
                    icon=":material/pause:" if state.get("playing") else
                    ":material/play_arrow:", on_click=session.toggle_play, args=(state,))
        forward.button("Next", key="step_next", icon=":material/chevron_right:",
                       shortcut="right", on_click=session.move_step, args=(state, 1),
                       disabled=state.step >= len(all_steps))
        where.slider("Step", 1, len(all_steps), key="step", label_visibility="collapsed")
        step = all_steps[state.step - 1]
        line = f", line {step.line}" if step.line is not None else ""
        st.markdown(f"**Step {step.index} of {len(all_steps)}{line}**: "
                    + markdown_text(step.text))
        show_graph(drawing_source(trace_at(shown, step.index), options), "step_graph",
                   focus=[step.focus])

    stepper()


with graph_tab:
    # TF2 boxes sit in plain paths: the object tree from ckpt_root, or the variables' names.
    paths = None if trace.mode != TF2 else "object (attribute path from ckpt_root)" \
        if trace.tf2_keys is not None else "name prefix"
    st.html(legend_html(counts, Counter(mark.kind for mark in marks) if marks else None,
                        paths))
    step_column, search_column = st.columns([1, 1], vertical_alignment="center")
    search_column.text_input(
        "Highlight names", key="graph_search", placeholder="Highlight names, e.g. kernel",
        label_visibility="collapsed",
        help="marks the boxes whose name contains this, in place (the sidebar's name filter "
             "hides the others instead)")
    drawing_notes(base)
    stepping = step_column.toggle("Step through the naming", key="stepping",
                         help="one event at a time: scopes entered, variables created and "
                              "reused (arrow keys step; share links carry the step)")
    last_good = state.get("last_good")
    drawable = True
    if stepping:
        step_view(base, all_steps)
    elif error is not None and not trace.variables:
        st.caption("The snippet created no variables before it failed.")
    else:
        if error is not None:
            st.caption("Partial graph: what the snippet created before it failed.")
        drawable = show_graph(dot, "graph", focus=[state.get("selected", "")],
                              lines=boxes_by_line(shown))
    if not stepping and error is not None and last_good is not None:
        with st.expander("Last successful run (stale: not the code above)"):
            show_graph(drawing_source(last_good, replace(options, marks=())), "stale_graph")
    details_card(shown, selected)
    open_in_place(base)

def tf2_tables(run: Trace) -> None:
    """TF2 mode's Variables tab: every variable's three names, where it was made and its
    warnings; every Keras layer and why it is numbered."""
    if run.root_error:
        st.warning(markdown_text(f"No checkpoint keys: {run.root_error}"))
    st.dataframe(pd.DataFrame(tf2_rows(run)), hide_index=True, width="stretch",
                 column_config={"name": st.column_config.TextColumn(width="medium"),
                                "path": st.column_config.TextColumn(width="medium"),
                                "line": st.column_config.NumberColumn(width="small")})
    if run.layers:
        st.markdown("**Keras layers**, in the order they were made")
        st.dataframe(pd.DataFrame(layer_rows(run)), hide_index=True, width="stretch",
                     column_config={"why": st.column_config.TextColumn(width="large")})


with table_tab:
    if trace.mode == TF2:
        tf2_tables(trace)
    else:
        table = pd.DataFrame(rows(trace))
        left, right = st.columns([2, 1])
        needle = left.text_input("Filter names", key="table_filter")
        statuses = right.multiselect("Status", list(STATUSES), default=list(STATUSES))
        metrics = st.columns(3)
        for column, (status, count) in zip(metrics, counts.items()):
            column.metric(status, count)
        if not table.empty:
            table["shape"] = table["shape"].astype(str)
            keep = table["status"].isin(statuses)
            if needle:
                keep &= table["name"].str.contains(needle, case=False, regex=False)
            table = table[keep]
        # Names are what people read here: they get the room, the short columns give it up.
        st.dataframe(table, hide_index=True, width="stretch", column_config={
            "name": st.column_config.TextColumn(width="large"),
            "requested": st.column_config.TextColumn(width="large"),
            "shape": st.column_config.TextColumn(width="small"),
            "dtype": st.column_config.TextColumn(width="small"),
            "trainable": st.column_config.CheckboxColumn(width="small"),
            "line": st.column_config.NumberColumn(width="small"),
            "graph": st.column_config.NumberColumn(width="small")})

with why_tab:
    sentences = explain(trace)
    if not sentences:
        st.write("No variables were created.")
    st.markdown(as_markdown(sentences))

with output_tab:
    if error is not None:
        st.error(markdown_text(error.describe()))
    st.subheader("Printed output")
    st.code(trace.stdout or "(nothing printed)", language=None)
    if trace.stderr.strip():
        with st.expander("stderr"):
            st.code(trace.stderr, language=None)
    st.caption(f"Ran in {trace.elapsed_ms:.0f} ms.")

if checked:
    with more_tabs[0]:
        report = checked.report
        kind = "TF2 object-based" if report.object_based else "TF1 name-based"
        st.markdown(markdown_text(
            f"{len(trace.checkpoint or [])} keys ({kind}): {len(report.restores)} restore, "
            f"{len(report.missing)} missing, {len(report.mismatched)} mismatched, "
            f"{len(report.unused)} unused keys."))
        for note in report.notes:
            st.caption(markdown_text(note))
        st.dataframe(pd.DataFrame(report_rows(report)), hide_index=True, width="stretch",
                     column_config={"reason": st.column_config.TextColumn(width="large"),
                                    "variable": st.column_config.TextColumn(width="medium"),
                                    "key": st.column_config.TextColumn(width="medium"),
                                    "line": st.column_config.NumberColumn(width="small")})
        download_row([
            Download("assignment_map (JSON)", json.dumps(report.assignment_map, indent=2)
                     + "\n", "assignment_map.json", "application/json",
                     "download_assignment_map",
                     "the dict for tf.train.init_from_checkpoint(ckpt, assignment_map): every "
                     "key that restores or fits a missing variable" if trace.mode != TF2 else
                     "checkpoint key -> this snippet's variable (its attribute path from "
                     "ckpt_root), for every key that restores or fits a missing variable; "
                     "load one whose path differs with tf.train.load_variable(prefix, key)"),
            Download("Full check (JSON)", json.dumps(checkpoint_dict(report, trace), indent=2)
                     + "\n", "checkpoint_check.json", "application/json", "download_check")])

st.subheader("Download")
# Downloaded drawings carry their own legend; the page has one above the graph.
drawing_dot = with_legend(dot, options)
# Made with the page (cached per drawing), not on the click: a button whose data comes from
# a callback could spin forever when the click's rerun raced another one.
downloads = {"svg": drawn(drawing_dot, "svg"), "png": drawn(drawing_dot, "png")} \
    if drawable else {}
downloads |= {"dot": drawing_dot.encode("utf-8"), "csv": text_export(trace, "csv"),
              "json": text_export(trace, "json")}
download_row([Download(fmt.upper(), data, f"scopeviz.{fmt}", MIME_TYPES[fmt], f"download_{fmt}")
              for fmt, data in downloads.items()])

st.subheader("Share")
query = urlencode(session.share_query(state, gallery, state.ran_source))
st.code(f"{(st.context.url or '').split('?')[0]}?{query}", language=None)
