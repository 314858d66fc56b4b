"""The presenter's code panel: a Streamlit custom component (v2, no iframe) showing the
snippet in large type with line numbers, the step's line marked and scrolled into view. Read
only: a presenter edits in the One-snippet view, and the room reads.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).resolve().parent
_COMPONENT = st.components.v2.component(
    "scopeviz_code", html='<div class="cv-box" role="region" aria-label="Code"></div>',
    css=(_HERE / "code_view.css").read_text(encoding="utf-8"),
    js=(_HERE / "code_view.js").read_text(encoding="utf-8"))


def code_view(source: str, line: int | None, key: str, height: str) -> None:
    """Shows ``source`` with ``line`` (1-based) marked, in a panel ``height`` high (CSS)."""
    _COMPONENT(data={"source": source, "line": line, "height": height}, key=key)
