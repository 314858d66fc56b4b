"""The Output tab: the error with its line, what the snippet printed, and how long it ran."""

from __future__ import annotations

import streamlit as st

from viz.core.escape import markdown_text
from viz.core.trace import Trace


def output_tab(trace: Trace) -> None:
    if trace.error is not None:
        st.error(markdown_text(trace.error.describe()))
    st.subheader("Printed output")
    st.code(trace.stdout or "(nothing printed)", language=None)
    if trace.stderr.strip():
        with st.expander("stderr"):
            st.code(trace.stderr, language=None)
    st.caption(f"Ran in {trace.elapsed_ms:.0f} ms.")
