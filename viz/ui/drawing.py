"""A DOT text on the page: drawn by :mod:`viz.backend.drawing`, or why it could not be."""

from __future__ import annotations

import streamlit as st

from viz.backend.drawing import draw
from viz.backend.execute import DrawingFailed
from viz.core.escape import markdown_text
from viz.core.export import inline_svg


def svg_or_message(dot: str, hint: str) -> str | None:
    """The drawing as inline SVG, or None after saying why it could not be drawn and
    ``hint``, what the user can do."""
    try:
        return inline_svg(draw(dot, "svg"))
    except DrawingFailed as exc:
        st.error(markdown_text(f"The graph could not be drawn: {exc}. {hint}"))
        return None
