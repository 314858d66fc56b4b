"""Text is text: hostile names, messages and output through every output format, and through a
real run, come out as the same characters, never as DOT attributes, links, Markdown or HTML."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree

import pytest

from viz import Executor
from viz.backend.drawing import export
from viz.backend.execute import run_dot
from viz.core.escape import clean, dot_string, markdown_text, shorten
from viz.core.explain import as_markdown, explain
from viz.core.render import LABEL_CHARS, to_dot
from viz.core.trace import ErrorInfo, Trace, VariableEvent
from viz.core.tree import build_tree
from viz.core.view import RenderOptions

HOSTILE = [
    'trailing\\',
    'q"] [URL="javascript:alert(1)" label="x',
    '\\" URL="javascript:alert(2)',
    "<a href='javascript:alert(3)'>click</a>",
    "[x](javascript:alert(4))![img](http://evil.example/i.png)",
    "\\N\\G\\L\\l",
    ":red[styled] $x^2$ *em* `code`",
    "a" * 5000,
]


def variable(name: str, via: str | None = None) -> VariableEvent:
    return VariableEvent(name=f"{name}:0", requested=name, status="created", api="tf.Variable",
                         via=via, shape=[1], dtype="float32", trainable=True,
                         collections=["variables"], initializer=None, resource=False,
                         name_scope="", variable_scope=None, line=1)


def hostile_trace() -> Trace:
    events = [variable(f"scope{i}/{name}", via=name) for i, name in enumerate(HOSTILE)]
    return Trace(events=events, error=ErrorInfo("ValueError", HOSTILE[4], 1, 1),
                 stdout="".join(HOSTILE[:5]))


@pytest.mark.parametrize("text", HOSTILE)
def test_a_dot_string_is_one_string_holding_the_text(text: str) -> None:
    quoted = dot_string(text)
    inner = quoted[1:-1]
    # No unescaped quote inside, and no backslash left to escape the closing one.
    assert re.search(r'(?<!\\)(\\\\)*"', inner) is None
    assert re.sub(r"\\(.)", r"\1", inner) == text


@pytest.mark.dot
def test_hostile_names_draw_as_text_with_no_link_in_the_svg() -> None:
    trace = hostile_trace()
    svg = run_dot(to_dot(build_tree(trace), RenderOptions(collapse_series=False)),
                  "svg").decode("utf-8")
    root = ElementTree.fromstring(svg)
    hrefs = [key for element in root.iter() for key in element.attrib if key.endswith("href")]
    assert hrefs == []
    assert not [v for e in root.iter() for k, v in e.attrib.items()
                if "javascript:" in v and not k.endswith("title")]
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    # Long names are shortened in the drawing; the tooltip keeps the whole name.
    assert shorten("a" * 5000, LABEL_CHARS) in texts
    assert "trailing\\" in texts and "\\N\\G\\L\\l" in texts
    assert "<a href='javascript:alert(3)'>click<" in texts  # the last path part: /a> split
    titles = [v for e in root.iter() for k, v in e.attrib.items() if k.endswith("title")]
    assert any(t.startswith("scope7/" + "a" * 5000 + ":0") for t in titles)


def test_markdown_shows_hostile_text_as_written() -> None:
    for text in HOSTILE:
        escaped = markdown_text(text)
        assert re.search(r"(?<!\\)[\[\]<>`*$:()!]", escaped) is None, escaped
    markdown = as_markdown(explain(hostile_trace()))
    assert markdown.count("\n- **line 1**: ") == len(HOSTILE) - 1
    assert re.search(r"(?<!\\)[\[\]<>`()]", markdown) is None


def test_every_export_format_writes_hostile_text() -> None:
    trace = hostile_trace()
    assert json.loads(export(trace, "json"))["variables"][1]["via"] == HOSTILE[1]
    csv_text = export(trace, "csv").decode("utf-8")
    assert HOSTILE[3] in csv_text
    assert export(trace, "text").decode("utf-8").count("javascript:alert(4)") >= 2


def test_clean_makes_terminal_escapes_and_surrogates_visible() -> None:
    assert clean("ok\n\ttab") == "ok\n\ttab"
    assert clean("\x1b]52;c;cHduZWQ=\x07") == "\\x1b]52;c;cHduZWQ=\\x07"
    assert clean("\x9b31m\u202eevil\udc80") == "\\x9b31m\\u202eevil\ufffd"
    assert clean("\r") == "\\x0d"


def test_a_run_with_a_hostile_helper_name_reports_it_as_text(executor: Executor) -> None:
    trace = executor.run(
        "Evil = type('[x](javascript:alert(1))<img src=x>', (tf.layers.Dense,), {})\n"
        "Evil(2, name='d\\\\')(tf.zeros([1, 2]))\n"
        "print('\\x1b[31mred\\udc80')\n")
    assert trace.ok, trace.error
    assert trace.variables[0].name == "d\\/kernel:0"
    assert trace.variables[0].via == "[x](javascript:alert(1))<img src=x>.__call__"
    assert trace.stdout == "\\x1b[31mred\ufffd\n"
    text = export(trace, "text").decode("utf-8")
    assert "\x1b" not in text and "\\x1b[31mred" in text
