"""What the code editor shows besides the text: the error's line and column, and the lines
the user is looking at in the graph, and the place the editor keeps on the page. Pure:
builds the Ace editor's props and a style rule, no Streamlit.

The editor is streamlit-code-editor (react-ace). Ace counts rows and columns from 0, TF and
Python from 1; the conversion lives here only.
"""

from __future__ import annotations

from typing import Any

from viz.core.escape import clean, shorten
from viz.core.trace import ErrorInfo

ERROR_LINE_CLASS = "scopeviz-error-line"
FOCUS_LINE_CLASS = "scopeviz-focus-line"
# Token colours readable on the editor's background in each theme (WCAG AA, 4.5:1): the
# component's light theme drew strings, numbers, comments and True/None at 2.3-2.9:1, its
# dark one comments, line numbers and keywords at 2.8-4.4:1. Ace's classes, as its themes
# name them.
TOKEN_COLOURS = {
    "light": {
        ".ace_gutter": "#5c6370", ".ace_comment": "#5c6370", ".ace_punctuation": "#5c6370",
        ".ace_paren": "#5c6370", ".ace_keyword": "#1659b8", ".ace_keyword.ace_operator":
        "#b54708", ".ace_keyword.ace_other.ace_unit": "#8f4f00", ".ace_constant.ace_language":
        "#8f4f00", ".ace_support.ace_constant": "#8f4f00", ".ace_variable.ace_parameter":
        "#8f4f00", ".ace_constant.ace_numeric": "#0b7a6b", ".ace_constant.ace_character":
        "#0b6f7a", ".ace_constant.ace_other": "#0b6f7a", ".ace_support.ace_class": "#7a5c00",
        ".ace_support.ace_type": "#7a5c00", ".ace_storage": "#8a3fb8", ".ace_storage.ace_type":
        "#8a3fb8", ".ace_string": "#18794e", ".ace_string.ace_regexp": "#b4323e",
        ".ace_variable": "#b4323e", ".ace_meta.ace_tag": "#b4323e",
        ".ace_entity.ace_name.ace_function": "#155e9c"},
    "dark": {".ace_gutter": "#9aa1ad", ".ace_comment": "#9aa1ad", ".ace_keyword": "#4ea1f3"},
}
# The editor's own stylesheet: Ace draws a marker as an empty absolutely placed box. The
# colours are !important: Ace adds its theme's style element after this one.
CSS = (f".{ERROR_LINE_CLASS}{{position:absolute;background:rgba(214,39,40,0.28);}}"
       f".{FOCUS_LINE_CLASS}{{position:absolute;background:rgba(33,102,172,0.22);}}"
       + "".join(f".ace-streamlit-{theme} {token}{{color:{colour}!important}}"
                 for theme, colours in TOKEN_COLOURS.items()
                 for token, colour in colours.items()))
# The gutter tooltip holds the error message; the page shows it in full.
ANNOTATION_CHARS = 500
# enableKeyboardAccessibility: Ace's own way out of an editor where Tab indents: Escape
# leaves the text (the editor box keeps the focus), then Tab moves on; Enter edits again.
OPTIONS = {"tabSize": 4, "useSoftTabs": True, "showPrintMargin": False, "wrap": False,
           "showGutter": True, "showLineNumbers": True, "highlightActiveLine": True,
           "fontSize": 14, "enableKeyboardAccessibility": True}
# Ace's line height in pixels at that font size (the component's Source Code Pro).
LINE_PX = 24


# No completion pop-ups: Enter must always start a new line. Changes reach the component's
# own state at once: with react-ace's default 250 ms debounce, a rerun right after Ctrl+Enter
# put the text of before the last keystrokes back into the editor. No scroll margin: with the
# component's 15 px one, the text slid 15 px above its line numbers once the editor scrolled.
QUIET = {"enableLiveAutocompletion": False, "enableBasicAutocompletion": False,
         "enableSnippets": False, "debounceChangePeriod": 0, "scrollMargin": [0, 0, 0, 0]}


def _marker(line: int, css_class: str) -> dict[str, Any]:
    return {"startRow": line - 1, "startCol": 0, "endRow": line - 1, "endCol": 1,
            "className": css_class, "type": "fullLine"}


def editor_props(error: ErrorInfo | None, focus_lines: list[int], line_count: int,
                 ) -> dict[str, Any]:
    """react-ace props: the error marked in the gutter (with its message) and on its line,
    and the focused lines (what a clicked node or the current step points at) highlighted.

    Lines outside the text (a stale error after an edit) are left out.
    """
    annotations, markers = [], []
    if error is not None and error.line is not None and 1 <= error.line <= line_count:
        column = max((error.column or 1) - 1, 0)
        text = shorten(clean(f"{error.type}: {error.message}"), ANNOTATION_CHARS)
        annotations.append({"row": error.line - 1, "column": column, "type": "error",
                            "text": text})
        markers.append(_marker(error.line, ERROR_LINE_CLASS))
    markers += [_marker(line, FOCUS_LINE_CLASS) for line in sorted(set(focus_lines))
                if 1 <= line <= line_count]
    return {"annotations": annotations, "markers": markers, **QUIET}


def reserved_height(key: str, rows: tuple[int, int], line_count: int) -> str:
    """A style rule that holds an editor's place before its frame has loaded.

    The editor's frame is 0 px high until the editor inside has drawn itself; everything
    below it (the Run and Compare buttons) jumped down by the editor's height a few hundred
    ms after the page appeared, and a click aimed at a button landed in the editor. The
    place kept is the height the editor takes for ``line_count`` lines between its
    ``rows`` (fewest, most); the frame is drawn as a block, so no line gap is added below
    it once it is there.
    """
    lines = min(max(line_count, rows[0]), rows[1])
    return f".st-key-{key}{{min-height:{lines * LINE_PX}px}}.st-key-{key} iframe{{display:block}}"
