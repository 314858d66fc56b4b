"""The graph explorer's front end, one for the app and the notebook: its HTML skeleton,
``graph.css`` and ``graph.js`` (zoom, pan, fit, full screen, click a box for its card,
highlight). The app mounts it as a Streamlit component (:mod:`viz.ui.graph_view`), a notebook
as an anywidget (:mod:`viz.notebook.widget`)."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent
HTML = (_HERE / "graph.html").read_text(encoding="utf-8")
CSS = (_HERE / "graph.css").read_text(encoding="utf-8")
JS = (_HERE / "graph.js").read_text(encoding="utf-8")
