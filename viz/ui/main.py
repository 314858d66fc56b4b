"""ScopeViz in the browser, the page script: ``streamlit run app.py`` in a clone, or
``scopeviz app`` where the package is installed (both run :func:`main` on every rerun).

The script only sets up and routes: the page's frame, the server's warm TensorFlow worker, a
new session's first state (from its link), and the page the view switch chose. The pages are
in :mod:`viz.ui.pages`; what a session holds and how it changes, in :mod:`viz.core.session`.
"""

from __future__ import annotations

import streamlit as st

from viz.core import session
from viz.core.escape import markdown_text
from viz.core.room import FOLLOWER
from viz.ui import room, server, steady_config
from viz.ui.access import admitted
from viz.ui.layout import page_styles
from viz.ui.navigation_aids import navigation_aids
from viz.ui.pages import compare, exercise, one_snippet, presenter


def main() -> None:
    """One run of the page script."""
    # The sidebar holds settings only: closed, it leaves the width to the editor and the graph.
    st.set_page_config(page_title="ScopeViz", layout="wide", initial_sidebar_state="collapsed")
    steady_config.install()  # hundreds of sessions: no queue on Streamlit's settings lock
    config = server.settings()
    server.worker_pool(config.hosted)  # TensorFlow starts importing with the first page load
    state = st.session_state
    if "source" not in state:
        session.open_link(state, st.query_params.to_dict(), server.gallery(), config.hosted)
    page_styles()

    # Both pages live at the app's root: the view switch (widget key "view") picks one and the
    # address keeps its query (``?view=compare&a=...&b=...``), so links made before the pages
    # were split still open what they opened. The navigation serves the chosen page alone, and
    # only once a workshop server's access code was given: nothing runs before.
    if admitted(config.access_code):
        room.join_from_link(server.gallery())
        # A room's follower sees the presenter's view (light: every change reruns each one).
        presenting = state.get("presenting") or state.get("room_role") == FOLLOWER
        chosen = {session.COMPARE: compare.page, session.EXERCISE: exercise.page}.get(
            state.view, presenter.page if presenting else one_snippet.page)
        st.navigation([st.Page(chosen, title="ScopeViz", url_path="", default=True)],
                      position="hidden").run()
        room.publish()  # a live room's followers get the page as this run left it
    if config.replica:  # behind a load balancer: which replica holds this session
        with st.container(key="served_by"):
            st.caption(markdown_text(f"served by replica {config.replica}"))
    # At the end: it adds nothing to the page's flow.
    navigation_aids(state.get("runs", 0), *session.error_place(state))


if __name__ == "__main__":  # how Streamlit runs a script it was given
    main()
