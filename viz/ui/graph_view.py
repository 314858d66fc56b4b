"""The graph explorer in the page: a Streamlit custom component (v2, no iframe) around the
graphviz SVG. Zoom, pan, fit and full screen happen in the browser; a click on a box comes
back as that box's id (its DOT node id: a variable's full name, ``cluster_`` + a scope path),
and its card is drawn over the graph.
The line the editor's cursor is on outlines what it made, in the browser: the editor component
reports selections only, and a rerun per click would be slow.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from viz import explorer
from viz.core.details import Details

_COMPONENT = st.components.v2.component("scopeviz_graph", html=explorer.HTML, css=explorer.CSS,
                                        js=explorer.JS)


def graph_view(svg: str, key: str, focus: list[str] | None = None, search: str = "",
               lines: dict[int, list[str]] | None = None, source: str | None = None,
               reveal: bool = False, editor_line: int | None = None,
               present: str | None = None, inside: dict[str, int] | None = None,
               details: Details | None = None,
               on_close: Callable[[], None] | None = None) -> str | None:
    """Draws ``svg`` in the explorer; returns the id of the box clicked in this rerun.

    Args:
        focus: ids of boxes to outline (the selected variable, the step's event).
        search: boxes whose name contains this are highlighted in place.
        inside: the boxes standing for many that hold matches of ``search``, with how many
            (a badge says so: their labels do not show the names).
        details: the clicked box's card, drawn over the graph beside the box (below the
            graph it was under the fold at 1366x768); its Close calls ``on_close``.
        lines: each snippet line's boxes. With it, the explorer follows the page's code
            editor: the boxes of the line its cursor is on are outlined while the editor
            holds ``source``, the text that was run (an edited text's lines have moved).
        reveal: pans the drawing (zooming out if need be) to show the ``focus`` boxes
            whenever they change: the step-through's box is always in view.
        editor_line: scrolls the page's code editor to this line whenever it changes (the
            step's line, which the editor marks).
        present: the presenter view's box height (CSS): labels drawn at least 18 px high,
            and full screen takes the whole page (code, graph and the step's sentence).
    """
    result = _COMPONENT(data={"svg": svg, "focus": focus or [], "search": search,
                              "lines": {str(n): ids for n, ids in (lines or {}).items()},
                              "source": source if lines else None, "reveal": reveal,
                              "editor_line": editor_line, "present": present is not None,
                              "height": present, "inside": inside or {},
                              "details": None if details is None else {
                                  "title": details.title, "rows": details.rows,
                                  "why": details.why}},
                        key=key, on_clicked_change=lambda: None,
                        on_closed_change=on_close or (lambda: None))
    return getattr(result, "clicked", None)
