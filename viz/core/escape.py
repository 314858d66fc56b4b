"""Text a snippet controls, made safe at the edge where it meets DOT, Markdown, HTML or a terminal.

Every name, message and printed line of a run is a stranger's data. It enters the program once
through :func:`clean` (the channel does that) and leaves through exactly one of the escaping
functions below, chosen by where it goes; nothing else builds DOT, Markdown or HTML from it.
"""

from __future__ import annotations

import html
import re
import string

# Lone surrogates cannot be encoded as UTF-8: they crash writers and pages.
_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 and C1 controls except newline and tab, DEL, and the bidirectional overrides and isolates
# that make text read differently from what it is (terminal escapes, "Trojan Source").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")
# What the page's Markdown turns into a link even when escaped, as it finds them in the text
# after parsing (GFM's autolink literals): http: and https:, www. hosts, addresses with an @.
# A word joiner (invisible, zero width) before the colon, the dot or the @ breaks the pattern
# and leaves the text as it reads; a variable's name (v1:0) is left as it is.
_AUTOLINK_SEAM = re.compile(r"(?<![A-Za-z0-9])(?i:https?|www)(?=[:.])|\w(?=@)")
WORD_JOINER = "\u2060"
ELLIPSIS = "\u2026"


def _visible(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str) -> str:
    """Replaces lone surrogates with U+FFFD and shows control characters as visible escapes
    (``\\x1b``), keeping newlines and tabs: the text then prints, encodes and displays as what
    it is, in every output format."""
    if text.isprintable():
        return text
    return _CONTROL.sub(_visible, _SURROGATE.sub("\ufffd", text))


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut in the middle (both ends of a scope path matter)."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return text[:head] + ELLIPSIS + text[len(text) - (limit - 1 - head):]


def dot_string(text: str) -> str:
    """A quoted DOT string holding exactly ``text``: backslashes and quotes escaped, so nothing
    ends the string early or reads as a graphviz escape (``\\N``, ``\\L``); newlines become
    DOT line breaks."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r", "").replace("\n", "\\n") + '"'


def markdown_text(text: str) -> str:
    """Markdown that renders as ``text`` itself: every ASCII punctuation character is
    backslash-escaped (CommonMark allows it for all of them), so no link, image, emphasis, HTML,
    directive (``:red[...]``) or formula can form, and a word joiner goes where a bare URL,
    address or www. host would become a link; line breaks are kept."""
    seamed = _AUTOLINK_SEAM.sub(lambda m: m.group() + WORD_JOINER, text)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", seamed).replace("\n", "  \n")


def html_text(text: str) -> str:
    """HTML text (also fit for attribute values) showing ``text`` as written."""
    return html.escape(text, quote=True)
