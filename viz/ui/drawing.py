"""A trace on the page: its DOT text (kept per trace and options in the session), drawn by
:mod:`viz.backend.drawing`, or why it could not be."""

from __future__ import annotations

import streamlit as st

from viz.backend.drawing import draw
from viz.backend.execute import DrawingFailed
from viz.core import session
from viz.core.escape import markdown_text
from viz.core.export import dot_source, inline_svg
from viz.core.trace import Trace
from viz.core.view import RenderOptions


def svg_or_message(dot: str, hint: str) -> str | None:
    """The drawing as inline SVG, or None after saying why it could not be drawn and
    ``hint``, what the user can do."""
    try:
        return inline_svg(draw(dot, "svg"))
    except DrawingFailed as exc:
        st.error(markdown_text(f"The graph could not be drawn: {exc}. {hint}"))
        return None


def drawing_source(trace: Trace, options: RenderOptions) -> str:
    """The trace's DOT with these options: the graph tab and the downloads share it."""
    return session.cached_dot(st.session_state, trace, options, dot_source)
