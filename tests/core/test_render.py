"""DOT text from a tree (viz.core.render): goldens, colours, legend, marks."""

from __future__ import annotations

import pytest
from support import DOT_CASES, GOLDENS, load_trace

from viz.core.render import STATUS_COLORS, to_dot
from viz.core.trace import Trace
from viz.core.tree import build_tree
from viz.core.view import RenderOptions


@pytest.mark.parametrize("stem", DOT_CASES)
def test_dot_matches_golden(stem: str, update_goldens: bool) -> None:
    dot = to_dot(build_tree(load_trace(stem)), RenderOptions())
    golden = GOLDENS / f"{stem}.dot"
    if update_goldens:
        golden.write_text(dot, encoding="utf-8")
    assert dot == golden.read_text(encoding="utf-8")


def test_dot_colours_variables_by_status() -> None:
    dot = to_dot(build_tree(load_trace("seed_1_name_scope_vs_variable_scope")))
    v4_line = next(line for line in dot.splitlines() if line.strip().startswith('"nsc1_1/v4:0"'))
    assert STATUS_COLORS["uniquified"] in v4_line
    assert "nsc1/v4 -> nsc1_1/v4" in v4_line


def test_exported_drawings_carry_a_legend_and_the_page_drawing_does_not() -> None:
    tree = build_tree(load_trace("seed_3_get_variable_sharing"))
    page = to_dot(tree, RenderOptions())
    exported = to_dot(tree, RenderOptions(legend=True))
    assert "legend" not in page
    assert exported.startswith(page[:-2])  # the same drawing, the legend added at the end
    for text in ("created", "uniquified", "reused xN", "variable scope", "name scope"):
        assert f'"(legend) {text}" [label="{text}"' in exported
    assert exported.count('[style="invis"]') == 4  # one row in a left-to-right layout


def test_marks_colour_variables_by_a_check_and_name_the_mark() -> None:
    from viz.core.render import MARK_COLORS, legend_html, to_dot
    from viz.core.trace import VariableEvent
    from viz.core.tree import build_tree
    from viz.core.view import Mark, RenderOptions

    def variable(name: str) -> VariableEvent:
        return VariableEvent(name + ":0", name, "created", "tf.get_variable", None, [1],
                             "float32", True, ["variables"], None, True, "", "", 1)

    trace = Trace(events=[variable("a"), variable("b")])
    marks = (Mark("a:0", "missing", "missing (nearest key: x/a)", "no key `a`"),
             Mark("b:0", "restores"))
    dot = to_dot(build_tree(trace), RenderOptions(marks=marks, legend=True))
    line_a = next(line for line in dot.splitlines() if line.strip().startswith('"a:0"'))
    assert f'fillcolor="{MARK_COLORS["missing"]}"' in line_a
    assert "missing: no key `a`" in line_a  # the reason, in the tooltip
    assert "\\nmissing (nearest key: x/a)" in line_a  # the tag, in the box
    legend = legend_html({}, {"missing": 1, "restores": 1})
    assert "missing (1)" in legend and "created" not in legend
    # TF2 boxes sit in plain paths: the legend names those instead of the two scope kinds
    tf2 = legend_html({}, {"saved": 3}, paths="object (attribute path from ckpt_root)")
    assert "attribute path from ckpt_root" in tf2 and "variable scope" not in tf2
    assert "variable scope" in legend and "name scope" in legend
    assert '"(legend) missing"' in dot and '"(legend) created"' not in dot
