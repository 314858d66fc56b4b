"""A line-numbered HTML view of the snippet with the error line marked (pure)."""

from __future__ import annotations

import html


def numbered_listing(source: str, error_line: int | None = None,
                     error_column: int | None = None) -> str:
    """HTML ``<pre>`` with line numbers; the error line highlighted, a caret at its column."""
    rows = []
    width = len(str(max(1, source.count("\n") + 1)))
    for number, text in enumerate(source.split("\n"), start=1):
        mark = number == error_line
        style = "background:#fde0dd;" if mark else ""
        rows.append(f'<span class="line{" error" if mark else ""}" style="{style}">'
                    f'<span style="color:#999;user-select:none">{number:>{width}}  </span>'
                    f"{html.escape(text)}</span>")
        if mark and error_column:
            pad = " " * (width + 2 + error_column - 1)
            rows.append(f'<span style="color:#c0392b;user-select:none">{pad}^</span>')
    return ('<pre class="scopeviz-listing" style="font-size:0.8rem;line-height:1.35;'
            'margin:0">' + "\n".join(rows) + "</pre>")
