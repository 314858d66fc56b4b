"""The code editor on the page (streamlit-code-editor), drawn the same way in both views:
monospace Ace with the project's options and marks, reporting its text on blur and Ctrl+Enter
only, its place on the page kept before its frame has loaded. What it shows is
:mod:`viz.core.editor`'s (pure); this module only places the widget.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from code_editor import code_editor

from viz.core.editor import CSS, OPTIONS, reserved_height


def editor(text: str, key: str, rows: tuple[int, int], line_count: int,
           props: dict[str, Any]) -> dict | None:
    """An editor holding ``text`` (a new ``key`` makes a fresh editor), between ``rows``
    lines high (fewest, most), its place kept for ``line_count`` lines; returns its last
    report."""
    st.html(f"<style>{reserved_height(key, rows, line_count)}</style>")
    return code_editor(text, lang="python", height=list(rows), key=key, response_mode=["blur"],
                       options=OPTIONS, props=props, component_props={"css": CSS})
