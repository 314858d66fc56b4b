"""The sidebar: settings only (the examples are above the editor), closed at first so that a
laptop or an 800 px window is left to the editor and the graph. Both pages draw it."""

from __future__ import annotations

import streamlit as st

from viz.core.view import RenderOptions
from viz.ui.server import Settings


def sidebar(config: Settings) -> RenderOptions:
    """Draws the sidebar; returns the drawing options chosen in it (and the scopes opened in
    place, which the Graph tab chooses)."""
    with st.sidebar:
        st.header("Mode")
        st.caption("TF1: `import tensorflow as tf` is `tensorflow.compat.v1` in graph mode. "
                   "TF2: real TF2 with Keras 3. Every run gets a fresh process (the switch is "
                   "at the top of the page).")
        if config.hosted:
            st.caption("Hosted: runs cannot touch files, the network or other processes.")
        if config.max_timeout > config.timeout:
            st.slider("Time limit (s)", min_value=config.timeout, max_value=config.max_timeout,
                      value=config.timeout, step=1.0, key="time_limit",
                      help="A big model may need longer than the default; the server allows "
                           f"up to {config.max_timeout:g} s.")
        else:
            st.caption(f"Each run may take {config.timeout:g} s.")
        st.header("Render")
        show_ops = st.checkbox("Show ops", value=False)
        collapse = st.checkbox("Collapse repeated series", value=True,
                               help="five or more alike siblings, tower_0 ... tower_7, drawn "
                                    "as one node with a count")
        compact_slots = st.checkbox(
            "Slots inside their variable", value=True, key="compact_slots",
            help="optimizer and moving-average slots (w/Adam, w/Adam_1) drawn as a line of "
                 "w's box; the Variables tab lists each")
        direction = st.selectbox("Layout direction", ["LR", "TB"],
                                 format_func={"LR": "scopes nest left to right",
                                              "TB": "scopes nest top down"}.get,
                                 help="Left to right stacks sibling scopes; top down puts them "
                                      "side by side.")
        depth = st.number_input("Depth limit (0: none)", min_value=0, max_value=50, value=0)
        name_filter = st.text_input("Name filter", placeholder="e.g. conv1", key="name_filter")
    return RenderOptions(rankdir=direction, show_ops=show_ops, collapse_series=collapse,
                         max_depth=int(depth) or None, name_filter=name_filter,
                         compact_slots=compact_slots,
                         expand=frozenset(st.session_state.get("expand", [])))
