"""Keyboard ways through the page that Streamlit does not give: skip links to the code editor
and to the graph (and, on a narrow screen where the graph sits below the code, a visible
"Graph" link to it), the closed sidebar's controls out of the tab order, and Ace's own way out
of the editor (Escape, then Tab). A Streamlit custom component (v2, no iframe) drawn at the
end of every page; what it adds lives at the start of the document.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).resolve().parent
_COMPONENT = st.components.v2.component(
    "scopeviz_keyboard", html="", js=(_HERE / "keyboard.js").read_text(encoding="utf-8"))


def keyboard_support() -> None:
    """Installs (once per page) the skip links and the keyboard fixes."""
    _COMPONENT(data={}, key="keyboard")
