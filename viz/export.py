"""Turns a trace into the bytes of one output format (CLI --format, the app's downloads)."""

from __future__ import annotations

import json
from dataclasses import replace

from viz.backend.execute import run_dot
from viz.render import to_dot
from viz.tables import to_csv, to_text
from viz.trace import TF2, Trace
from viz.tree import build_tree, tf2_as_scopes
from viz.view import RenderOptions, tf2_marks

FORMATS = ("text", "json", "dot", "svg", "png", "csv")
MIME_TYPES = {"text": "text/plain", "json": "application/json", "dot": "text/vnd.graphviz",
              "svg": "image/svg+xml", "png": "image/png", "csv": "text/csv"}


def dot_source(trace: Trace, options: RenderOptions) -> str:
    """The DOT text of a trace's scope tree (a TF2 trace: its variables under the name
    scopes of their names, marked by their warnings and checkpoint keys)."""
    if trace.mode == TF2:
        options = replace(options, marks=options.marks or tf2_marks(trace))
        trace = tf2_as_scopes(trace)
    return to_dot(build_tree(trace, include_ops=options.show_ops), options)


def export(trace: Trace, fmt: str, options: RenderOptions = RenderOptions()) -> bytes:
    """Renders a trace in one of :data:`FORMATS` (svg and png run graphviz's ``dot``)."""
    if fmt == "json":
        return (json.dumps(trace.to_dict(), indent=2) + "\n").encode("utf-8")
    if fmt == "csv":
        return to_csv(trace).encode("utf-8")
    if fmt == "text":
        return to_text(trace).encode("utf-8")
    dot = dot_source(trace, replace(options, legend=True))  # a file has no page around it
    return dot.encode("utf-8") if fmt == "dot" else run_dot(dot, fmt)


def inline_svg(svg: bytes) -> str:
    """SVG text fit for embedding in a Markdown/HTML page: the ``<svg>`` element alone.

    The XML prolog and DOCTYPE go (an HTML page cannot hold them), and so do blank lines,
    which would end an HTML block in Markdown.
    """
    text = svg.decode("utf-8")
    text = text[text.find("<svg"):] if "<svg" in text else text
    return "\n".join(line for line in text.splitlines() if line.strip())
