"""The access-code gate of a workshop server (``SCOPEVIZ_ACCESS_CODE``): until a session has
given the code, the page asks for it and serves nothing else, so no snippet runs."""

from __future__ import annotations

import time

import streamlit as st

from viz.core.access import code_matches, wrong_try_delay

state = st.session_state


def admitted(code: str | None) -> bool:
    """True when the server asks no code or this session gave it; else draws the gate."""
    if not code or state.get("admitted"):
        return True
    st.markdown("#### ScopeViz")
    with st.form("access"):
        given = st.text_input("Access code", type="password", key="access_code",
                              help="the code the workshop's presenter gave you")
        entered = st.form_submit_button("Enter", type="primary")
    if entered:
        if code_matches(given or "", code):
            state.admitted = True
            st.rerun()
        state.access_failures = state.get("access_failures", 0) + 1
        # Slowed down, so that codes cannot be guessed quickly from one page.
        time.sleep(wrong_try_delay(state.access_failures))
        st.error("That is not this server's access code.")
    st.caption("This ScopeViz server is for one workshop: ask its presenter for the code.")
    return False
