"""The frame both pages share: columns that stack on narrow screens, and the first row (the
view switch, then the page's own actions on the right)."""

from __future__ import annotations

from typing import Any, Callable

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from viz.core import session
from viz.core.escape import markdown_text
from viz.core.gallery import Gallery
from viz.core.names import TF1, TF2

MODES = {TF1: "TF1", TF2: "TF2"}

# The rows whose two columns stack below 1000 px: the editor and the results, the Compare
# view's two editors and its two graphs.
_STACKED = ("workspace", "compare_editors", "compare_graphs")


# What Streamlit draws in its primary colour on the page's background, the selected tab and
# segmented-control choice, at 4.5:1 in both themes (4.48:1 in light and 3.6-3.9:1 in dark,
# where a lighter primary would fail the white text on primary buttons). light-dark() follows
# the colour scheme Streamlit gives the app.
_SELECTED = ('[data-testid="stTab"][aria-selected="true"] p,'
             'button[data-variant="segmented_control"][aria-checked="true"] p'
             '{color:light-dark(#b22a38,#ff8a94)}')
# st.code's syntax colours (the exercise's code) at 4.5:1 in both themes, as the editor's
# (viz.core.editor.TOKEN_COLOURS): Streamlit's drew keywords, strings, punctuation and line
# numbers at 2.3-4.2:1.
_CODE_TOKENS = {
    "keyword": ("#1659b8", "#4ea1f3"), "punctuation": ("#5c6370", "#a0a6b1"),
    "operator": ("#b54708", "#ed6f13"), "string": ("#18794e", "#3fbf6a"),
    "number": ("#0b7a6b", "#29b09d"), "comment": ("#5c6370", "#9aa1ad"),
    "boolean": ("#8f4f00", "#d19a66"), "function": ("#155e9c", "#61afef"),
    "builtin": ("#7a5c00", "#e5c07b"), "class-name": ("#7a5c00", "#e5c07b"),
    "linenumber": ("#5c6370", "#9aa1ad")}
_CODE = "".join(f'[data-testid="stCode"] .{token}{{color:light-dark({light},{dark})!important}}'
                for token, (light, dark) in _CODE_TOKENS.items())


def page_styles() -> None:
    """The page's own style rules: below 1000 px the rows of :data:`_STACKED` stack instead
    of sharing the width; the colours of :data:`_SELECTED` and :data:`_CODE`. (The space
    above the first row is the theme's paddingTop in .streamlit/config.toml: a style from
    st.html arrives with its lazily loaded code, seconds late on a busy machine, and
    everything under it moved.)"""
    rows = [f'.st-key-{key} > [data-testid="stLayoutWrapper"] > '
            f'[data-testid="stHorizontalBlock"]' for key in _STACKED]
    st.html('<style>'
            f'@media (max-width: 1000px){{{",".join(rows)}{{flex-direction:column}}'
            + ",".join(f'{row} > [data-testid="stColumn"]' for row in rows)
            + '{width:100%;flex:1 1 100%}}' + _SELECTED + _CODE + '</style>')


def top_row(gallery: Gallery) -> DeltaGenerator:
    """Draws the view switch; returns the row's right side, where the page puts its actions.

    Run and Compare sit in this first row: above them is nothing whose height arrives late
    (each element's code loads lazily; under load the title, the captions and the editor's
    place came in seconds after the button, and a click aimed at it landed elsewhere).
    """
    state = st.session_state
    view_column, action_column = st.columns([1, 1], vertical_alignment="center")
    actions = action_column.container(horizontal=True, horizontal_alignment="right",
                                      vertical_alignment="center", key="actions")
    # The address follows the view, so a reload or a copied link opens the same one.
    view_column.segmented_control(
        "View", list(session.VIEWS), key="view", label_visibility="collapsed",
        persist_state="session",  # kept while the presenter view draws no switch
        on_change=lambda: st.query_params.from_dict(session.address(state, gallery)))
    return actions


def share_box(query: str) -> None:
    """The page's link with ``query``: what a reload or a copied link opens."""
    st.subheader("Share")
    st.code(f"{(st.context.url or '').split('?')[0]}?{query}", language=None)


def link_problem() -> None:
    """Why the session's link could not be opened, if it could not."""
    if st.session_state.get("link_error"):
        st.warning(markdown_text(f"Could not open the shared link: "
                                 f"{st.session_state.link_error}"))


def shared_code_gate(what: str, label: str, key: str, on_click: Callable[..., None],
                     args: tuple[Any, ...]) -> None:
    """Code a link brought waits for its own button: ``what`` says what it is."""
    st.info(f"A shared link brought {what}. Read it first: it runs on this computer.")
    st.button(label, key=key, type="primary", on_click=on_click, args=args)
