"""Headless app tests with streamlit.testing.v1.AppTest: the real script, the real worker."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from conftest import ROOT
from viz.share import encode_snippet

APP = str(ROOT / "app.py")


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=180)


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_example_link_loads_and_runs_it() -> None:
    at = app()
    at.query_params["example"] = "seed_3_get_variable_sharing"
    at.run()
    assert not at.exception
    assert "scope.reuse_variables()" in at.text_area[0].value
    assert [tab.label for tab in at.tabs] == ["Graph", "Variables", "Why these names", "Output"]
    text = markdown_text(at)
    assert "image_filters/conv1/weights:0" in text  # the SVG graph
    assert ("- line 15 reuses image_filters/conv1/weights because "
            "scope.reuse_variables() was called on image_filters at line 35") in text
    assert ("- **line 15**: weights is image_filters/conv1/weights: tf.get_variable put it in "
            "variable scope image_filters/conv1.") in text
    assert [m.value for m in at.metric] == ["4", "4", "0"]


def test_run_button_runs_the_edited_snippet_and_shows_an_error_with_its_line() -> None:
    at = app()
    at.run()
    source = "x = tf.get_variable('x', [1])\ny = tf.get_variable('x', [1])\n"
    at.text_area[0].set_value(source)
    at.button(key="run").click()
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any("ValueError" in e and "line 2" in e and "Variable x already exists" in e
               for e in errors)
    assert at.text_area[0].value == source  # the editor keeps the text
    assert at.query_params["snippet"] == encode_snippet(source)
    assert "x:0" in markdown_text(at)  # the partial graph: x was made before the error


def test_snippet_link_loads_and_runs_it() -> None:
    source = "with tf.name_scope('shared'):\n    v = tf.Variable(1, name='v')\nprint(v.name)\n"
    at = app()
    at.query_params["snippet"] = encode_snippet(source)
    at.run()
    assert at.text_area[0].value == source
    assert "shared/v:0" in [c.value for c in at.code][0]


def test_damaged_snippet_link_says_so_and_keeps_working() -> None:
    at = app()
    at.query_params["snippet"] = "not-a-snippet"
    at.run()
    assert not at.exception
    assert any("Could not open the shared link" in w.value for w in at.warning)


def test_load_example_from_the_gallery() -> None:
    at = app()
    at.run()
    at.selectbox[0].set_value("default_name")
    at.button(key="load_example").click()
    at.run()
    assert "default_name=\"block\"" in at.text_area[0].value
    assert "block_1/w:0" in markdown_text(at)
