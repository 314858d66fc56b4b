"""The "Why these names" tab: one sentence per variable, in TF's own words."""

from __future__ import annotations

import streamlit as st

from viz.core.explain import as_markdown, explain
from viz.core.trace import Trace


def why_tab(trace: Trace) -> None:
    sentences = explain(trace)
    if not sentences:
        st.write("No variables were created.")
    st.markdown(as_markdown(sentences))
