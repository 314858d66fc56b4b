"""The graph in a notebook as the app's explorer (fit, zoom, pan, click a box for its card):
an anywidget whose front end is :mod:`viz.explorer`'s, shipped in the package (nothing is
fetched). Where no widget can run (a saved notebook on GitHub or nbviewer, a terminal), its
output is the drawing as a static SVG, or text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from viz import explorer
from viz.core.details import Details, node_details
from viz.core.report import cell_details
from viz.core.trace import Trace
from viz.core.view import Mark

_ADAPTER = (Path(__file__).resolve().parent / "widget.js").read_text(encoding="utf-8")
_EXPORT = "export default drawGraph;\n"
if not explorer.JS.endswith(_EXPORT):
    raise ImportError(f"viz/explorer/graph.js must end with {_EXPORT!r}: the widget joins it")
ESM = explorer.JS.removesuffix(_EXPORT) + _ADAPTER


def card(details: Details | None) -> dict[str, Any] | None:
    """A box's card as the explorer draws it."""
    if details is None:
        return None
    return {"title": details.title, "rows": [list(row) for row in details.rows],
            "why": details.why}


class GraphWidget(anywidget.AnyWidget):
    """One drawing in the explorer; ``trace`` and ``marks`` are what the drawing shows (the
    cards are worked out from them in the kernel, as the app's are on the server)."""

    _esm = ESM
    _css = explorer.CSS
    html = traitlets.Unicode(explorer.HTML).tag(sync=True)
    data = traitlets.Dict().tag(sync=True)

    def __init__(self, svg: str, trace: Trace, marks: tuple[Mark, ...] = (),
                 starts: list[int] | None = None) -> None:
        super().__init__(data={"svg": svg, "focus": [], "details": None})
        self._svg, self._trace, self._marks = svg, trace, marks
        self._starts = list(starts or [])  # a run of cells: lines as the cells count them
        self.on_msg(self._answer)

    def _answer(self, _widget: Any, content: dict[str, Any], _buffers: Any) -> None:
        clicked = content.get("clicked") if isinstance(content, dict) else None
        details = cell_details(node_details(self._trace, clicked, self._marks),
                               self._starts) if isinstance(clicked, str) else None
        self.data = {**self.data, "focus": [clicked] if details else [],
                     "details": card(details)}

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget, with the static drawing for front ends that run no widgets."""
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["image/svg+xml"] = self._svg
        data["text/plain"] = "(the scope graph: run this notebook where widgets run, or see "\
                             "the drawing)"
        return bundle
