"""A trace as the bytes of a text format, or as the DOT text a drawing is made from (the
drawing itself is :mod:`viz.backend.drawing`'s: the one road to graphviz's ``dot``)."""

from __future__ import annotations

import json
from dataclasses import replace

from viz.core.names import TF2
from viz.core.render import to_dot
from viz.core.tables import to_csv, to_text
from viz.core.trace import Trace
from viz.core.tree import build_tree, tf2_as_scopes
from viz.core.view import RenderOptions, tf2_marks

FORMATS = ("text", "json", "dot", "svg", "png", "csv")
DRAWN_FORMATS = ("svg", "png")
MIME_TYPES = {"text": "text/plain", "json": "application/json", "dot": "text/vnd.graphviz",
              "svg": "image/svg+xml", "png": "image/png", "csv": "text/csv"}


def dot_source(trace: Trace, options: RenderOptions) -> str:
    """The DOT text of a trace's scope tree (a TF2 trace: its variables under the name
    scopes of their names, marked by their warnings and checkpoint keys)."""
    if trace.mode == TF2:
        options = replace(options, marks=options.marks or tf2_marks(trace))
        trace = tf2_as_scopes(trace)
    return to_dot(build_tree(trace, include_ops=options.show_ops), options)


def file_dot(trace: Trace, options: RenderOptions = RenderOptions()) -> str:
    """The DOT text of a file or a download: with its legend, as a file has no page around
    it."""
    return dot_source(trace, replace(options, legend=True))


def text_export(trace: Trace, fmt: str, options: RenderOptions = RenderOptions()) -> bytes:
    """A trace in one of the :data:`FORMATS` that are text (all but :data:`DRAWN_FORMATS`)."""
    if fmt == "json":
        return (json.dumps(trace.to_dict(), indent=2) + "\n").encode("utf-8")
    if fmt == "csv":
        return to_csv(trace).encode("utf-8")
    if fmt == "text":
        return to_text(trace).encode("utf-8")
    if fmt == "dot":
        return file_dot(trace, options).encode("utf-8")
    raise ValueError(f"{fmt!r} is not a text format; draw it with viz.backend.drawing")


def inline_svg(svg: bytes) -> str:
    """SVG text fit for embedding in a Markdown/HTML page: the ``<svg>`` element alone.

    The XML prolog and DOCTYPE go (an HTML page cannot hold them), and so do blank lines,
    which would end an HTML block in Markdown.
    """
    text = svg.decode("utf-8")
    text = text[text.find("<svg"):] if "<svg" in text else text
    return "\n".join(line for line in text.splitlines() if line.strip())
