"""Ways through the page that Streamlit does not give: skip links to the code editor and to
the graph (and, on a narrow screen where the graph sits below the code, a visible "Graph" link
to it), the closed sidebar's controls out of the tab order, Ace's own way out of the editor
(Escape, then Tab), and after a run that failed, its error and its line brought into view. A
Streamlit custom component (v2, no iframe) drawn at the end of every page; what it adds lives
at the start of the document.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).resolve().parent
_COMPONENT = st.components.v2.component(
    "scopeviz_navigation", html="",
    js=(_HERE / "navigation_aids.js").read_text(encoding="utf-8"))


def navigation_aids(run: int, error_line: int | None, failed: bool) -> None:
    """Installs (once per page) the skip links and the keyboard fixes; brings run number
    ``run``'s error (``failed``: the element keyed ``run_error``) and its line into view,
    once."""
    _COMPONENT(data={"run": run, "error_line": error_line, "failed": failed},
               key="navigation_aids")
