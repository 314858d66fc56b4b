"""A line-numbered, syntax-highlighted HTML view of the snippet with the error line marked."""

from __future__ import annotations

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

ERROR_BACKGROUND = "#fde0dd"


def numbered_listing(source: str, error_line: int | None = None,
                     error_column: int | None = None) -> str:
    """HTML ``<pre>`` with line numbers; the error line highlighted, a caret at its column.

    Pygments closes and reopens its spans at every line end, so its output can be split into
    lines and each wrapped with its number.
    """
    source_lines = source.split("\n")
    formatter = HtmlFormatter(nowrap=True, noclasses=True, style="default")
    coloured = highlight(source, PythonLexer(stripnl=False, ensurenl=False), formatter)
    coloured_lines = coloured.split("\n")
    width = len(str(len(source_lines)))
    rows = []
    for number, text in enumerate(coloured_lines[:len(source_lines)], start=1):
        mark = number == error_line
        style = f' style="background:{ERROR_BACKGROUND}"' if mark else ""
        rows.append(f'<span class="line{" error" if mark else ""}"{style}>'
                    f'<span style="color:#999;user-select:none">{number:>{width}}  </span>'
                    f"{text}</span>")
        if mark and error_column:
            pad = " " * (width + 2 + error_column - 1)
            rows.append(f'<span style="color:#c0392b;user-select:none">{pad}^</span>')
    return ('<pre class="scopeviz-listing" style="font-size:0.8rem;line-height:1.35;'
            'margin:0">' + "\n".join(rows) + "</pre>")
