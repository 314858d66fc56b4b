"""The Graph tab: the legend, the scope tree in the explorer (or the naming step by step), a
clicked box's details, and the scopes a user opens in place."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from typing import Any, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from viz.core import session
from viz.core.details import Details, boxes_by_line
from viz.core.escape import markdown_text
from viz.core.names import TF2
from viz.core.render import counts_text, legend_html
from viz.core.session import Results
from viz.core.steps import Step, trace_at
from viz.core.tables import legend_counts
from viz.core.trace import Trace
from viz.core.tree import build_tree
from viz.core.view import (
    DRAWN_DEPTH,
    RenderOptions,
    build_view,
    deeper_than_drawn,
    filter_matches,
    find_group,
    matching_inside,
    openable,
    opened_for,
)
from viz.ui.drawing import drawing_source, svg_or_message
from viz.ui.graph_view import graph_view

state = st.session_state


def show_graph(graph_dot: str, key: str, focus: list[str] | None = None,
               lines: dict[int, list[str]] | None = None, reveal: bool = False,
               editor_line: int | None = None, inside: dict[str, int] | None = None,
               details: Details | None = None) -> bool:
    """The scope tree in the explorer; False, with a message, when it cannot be drawn (the
    other tabs and the text downloads do not need the drawing). A click selects a box; with
    ``lines``, the editor's cursor line outlines what it made; with ``reveal``, the focused
    box is brought into view, and ``editor_line`` into the editor's; ``inside`` badges the
    boxes that fold matches of the highlight; ``details`` is the clicked box's card."""
    svg = svg_or_message(graph_dot, "The name filter or the depth limit in the sidebar draw a "
                         "part of it; the Variables tab and the CSV and JSON downloads have "
                         "everything.")
    if svg is None:
        return False
    clicked = graph_view(svg, key=key, focus=focus, search=state.get("graph_search", ""),
                         lines=lines, source=state.get("ran_source"), reveal=reveal,
                         editor_line=editor_line, inside=inside, details=details,
                         on_close=lambda: state.pop("selected", None))
    if clicked and clicked != state.get("selected"):
        state.selected = clicked
        st.rerun()  # the editor, drawn above, marks the selected box's lines
    return True


def group_card(shown: Trace, group_id: str, options: RenderOptions) -> None:
    """A clicked series (``layer_[0..11] x12``) or folded scope: open one member in place."""
    group = find_group(build_view(build_tree(shown), options), group_id)
    if group is None or group.id.endswith(":0"):  # gone, or a series of variables
        return
    with st.container(border=True, key="details_card"):
        st.markdown(markdown_text(f"{group.label}: {len(group.members)} scopes drawn as one "
                                  f"box ({counts_text(group)})"))
        member = st.selectbox("Open in place", group.members, key="open_member")
        st.button("Open", key="open_member_button", on_click=session.open_scope,
                  args=(state, member))


def folded_matches(shown: Trace, options: RenderOptions, place: DeltaGenerator,
                   ) -> dict[str, int]:
    """The highlight inside boxes that stand for many: how many matches each folds, and (in
    ``place``) one key that opens them all in place."""
    if not state.get("graph_search", "").strip():
        return {}  # no highlight: no tree or view to build
    tree = build_tree(shown)
    found = matching_inside(build_view(tree, options), state.get("graph_search", ""))
    if found:
        names = [name for names in found.values() for name in names]
        place.button(f"Open the {len(names)} inside", key="open_matches", shortcut="Alt+O",
                     on_click=lambda: session.open_scopes(state, opened_for(tree, options,
                                                                            names)),
                     help="draws the series and folded scopes that hold matches open, in "
                          "place")
    return {group_id: len(names) for group_id, names in found.items()}


def open_in_place(shown: Trace, options: RenderOptions) -> None:
    """Lets the user open series members and folded scopes one by one (they stay open for
    later runs that have them; one opened inside another is listed while it exists)."""
    tree = build_tree(shown)
    chosen = [item for item in state.get("expand", [])
              if item in tree.nodes or item in tree.variables]
    closed = list(dict.fromkeys(chosen + openable(build_view(tree, options))))
    if closed:
        state.expand = chosen
        st.multiselect("Open in place", closed, key="expand", persist_state="session",
                       help="series (layer_[0..11] x12) and scopes folded by the depth limit: "
                            "draw the ones chosen here open, the others stay folded")


def drawing_notes(shown: Trace, options: RenderOptions) -> None:
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


def ticker(step_count: int) -> None:
    """While playing: the next step every :func:`session.play_interval` seconds. Each tick
    reruns the whole page, so that the editor marks the new step's line as the graph shows
    its box (a rerun of the step view alone left the editor on the first step's line)."""
    interval = session.play_interval(state)
    state.played_at = time.monotonic()

    @st.fragment(run_every=interval)
    def tick() -> None:
        # Drawn with the page first: only a later call, a tick, moves on.
        if time.monotonic() - state.get("played_at", 0.0) < interval * 0.8:
            return
        session.play_on(state, step_count)
        st.rerun()

    tick()


def step_buttons(places: Sequence[Any], key: str, count: int) -> None:
    """Back, Play/Pause and Next (the arrow keys too) in three places (columns, or ``st``
    three times for a row); ``key`` starts their widget keys."""
    back, play, forward = places
    playing = bool(state.get("playing"))
    back.button("Back", key=f"{key}_back", icon=":material/chevron_left:", shortcut="left",
                on_click=session.move_step, args=(state, -1), disabled=state.step <= 1)
    play.button("Pause" if playing else "Play", key=f"{key}_play",
                icon=":material/pause:" if playing else ":material/play_arrow:",
                on_click=session.toggle_play, args=(state, count))
    forward.button("Next", key=f"{key}_next", icon=":material/chevron_right:",
                   shortcut="right", on_click=session.move_step, args=(state, 1),
                   disabled=state.step >= count)


def step_sentence(step: Step, count: int) -> str:
    """``**Step 3 of 7, line 13**: what happened`` (the snippet's names escaped)."""
    line = f", line {step.line}" if step.line is not None else ""
    return f"**Step {step.index} of {count}{line}**: {markdown_text(step.text)}"


def step_view(results: Results, options: RenderOptions) -> None:
    """The naming one event at a time: the graph as it stood after step k, the step's box
    outlined and brought into view, its line marked and scrolled to in the editor, and what
    happened, in words, beneath. Back, Next, the arrow keys and the slider rerun the page."""
    all_steps = results.steps
    if not all_steps:
        st.caption("This run recorded no naming events to step through.")
        return
    count = len(all_steps)
    playing = bool(state.get("playing"))
    # The buttons and the speed in a row, the slider under them: in one row at 1366 px the
    # labels were cut ("P.").
    back, play, forward, speed = st.columns([1, 1, 1, 1.2], vertical_alignment="center")
    step_buttons((back, play, forward), "step", count)
    speed.selectbox("Speed", session.PLAY_SPEEDS, index=1, key="play_speed",
                    format_func=lambda steps: f"{steps:g} step/s", persist_state="session",
                    label_visibility="collapsed", help="how fast Play moves on")
    st.slider("Step", 1, count, key="step", label_visibility="collapsed",
              persist_state="session")
    step = all_steps[state.step - 1]
    st.markdown(step_sentence(step, count))
    show_graph(drawing_source(trace_at(results.base, step.index), options), "step_graph",
               focus=[step.focus], reveal=True,
               editor_line=step.line if results.ran_this else None)
    if playing:
        ticker(count)


def graph_tab(results: Results, options: RenderOptions) -> bool:
    """The tab's body (``options`` carry the run's marks); False when the graph could not be
    drawn."""
    trace, base, marks = results.trace, results.base, results.marks
    # TF2 boxes sit in plain paths: the object tree from ckpt_root, or the variables' names.
    paths = None if trace.mode != TF2 else "object (attribute path from ckpt_root)" \
        if trace.tf2_keys is not None else "name prefix"
    st.html(legend_html(legend_counts(base),
                        Counter(mark.kind for mark in marks) if marks else None, paths))
    step_column, search_column = st.columns([1, 1], vertical_alignment="center")
    search_column.text_input(
        "Highlight names", key="graph_search", persist_state="session",
        placeholder="Highlight names, e.g. kernel", label_visibility="collapsed",
        help="marks the boxes whose name contains this, in place (the sidebar's name filter "
             "hides the others instead)")
    drawing_notes(base, options)
    stepping = step_column.toggle("Step through the naming", key="stepping",
                                  persist_state="session",
                                  help="one event at a time: scopes entered, variables created "
                                       "and reused (arrow keys step; share links carry the "
                                       "step)")
    error = trace.error
    last_good = state.get("last_good")
    drawable = True
    if stepping:
        step_view(results, options)
    elif error is not None and not trace.variables:
        st.caption("The snippet created no variables before it failed.")
    else:
        if error is not None:
            st.caption("Partial graph: what the snippet created before it failed.")
        inside = folded_matches(results.shown, options, search_column)
        drawable = show_graph(drawing_source(results.shown, options), "graph",
                              focus=[state.get("selected", "")],
                              lines=boxes_by_line(results.shown), inside=inside,
                              details=results.selected)
    if not stepping and error is not None and last_good is not None:
        with st.expander("Last successful run (stale: not the code above)"):
            show_graph(drawing_source(last_good, replace(options, marks=())), "stale_graph")
    if results.selected is None and state.get("selected"):
        group_card(results.shown, state.selected, options)
    open_in_place(base, options)
    return drawable
