"""The one road to graphviz's ``dot``: DOT text drawn as SVG or PNG, for the app and the CLI.

Drawings are kept (reruns of a page redraw the same DOT text), and so are failures: a DOT
text that took graphviz a minute to refuse was otherwise tried again on every rerun.
"""

from __future__ import annotations

from viz.backend.execute import DotNotFound, DrawingFailed, run_dot
from viz.core.cache import BoundedCache
from viz.core.export import DRAWN_FORMATS, file_dot, text_export
from viz.core.trace import Trace
from viz.core.view import RenderOptions

# Shared by every session of a server: at most 64 MiB of drawings, 1 MiB of reasons.
_DRAWINGS = BoundedCache(64 * 1024 * 1024)
_FAILURES = BoundedCache(1024 * 1024)


def draw(dot: str, fmt: str) -> bytes:
    """``dot`` drawn as ``svg`` or ``png``.

    Raises:
        DotNotFound: graphviz is not installed.
        DrawingFailed: graphviz refused the text or ran out of time (now or before).
    """
    key = f"{fmt}\n{dot}"
    failure = _FAILURES.get(key)
    if failure is not None:
        raise DrawingFailed(failure.decode("utf-8"))
    try:
        return _DRAWINGS.get_or_make(key, lambda: run_dot(dot, fmt))
    except DotNotFound:
        raise  # not the text's fault: installing graphviz mends it
    except DrawingFailed as exc:
        _FAILURES.put(key, str(exc).encode("utf-8"))
        raise


def refused(dot: str, fmt: str = "svg") -> bool:
    """True when graphviz refused ``dot`` in ``fmt`` before: a page that does not draw it now
    (its graph tab closed) still knows not to offer the drawing."""
    return _FAILURES.get(f"{fmt}\n{dot}") is not None


def export(trace: Trace, fmt: str, options: RenderOptions = RenderOptions()) -> bytes:
    """A trace in one of :data:`viz.core.export.FORMATS` (svg and png drawn by ``dot``)."""
    if fmt in DRAWN_FORMATS:
        return draw(file_dot(trace, options), fmt)
    return text_export(trace, fmt, options)
