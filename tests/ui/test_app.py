"""Headless app tests with streamlit.testing.v1.AppTest: the real script, the real worker."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest
from support import ROOT

from viz.core.escape import markdown_text as escaped
from viz.core.share import encode_snippet

APP = str(ROOT / "app.py")


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=180)


def markdown_text(at: AppTest) -> str:
    """The page's Markdown and the SVG of every graph the explorer component was given."""
    svgs = [json.loads(graph.proto.json).get("svg", "") for graph in at.get("bidi_component")]
    return "\n".join([m.value for m in at.markdown] + svgs)


def open_tab(at: AppTest, label: str) -> AppTest:
    """Opens the results tab ``label``, as its click does: only the open tab is built."""
    at.session_state["result_tab"] = label
    return at.run()


def test_example_link_loads_and_runs_it() -> None:
    at = app()
    at.query_params["example"] = "seed_3_get_variable_sharing"
    at.run()
    assert not at.exception
    assert "scope.reuse_variables()" in at.session_state["source"]
    assert [tab.label for tab in at.tabs] == ["Graph", "Variables", "Why these names", "Output"]
    assert "image_filters/conv1/weights:0" in markdown_text(at)  # the SVG graph
    assert not at.dataframe, "a closed tab is not built"
    text = markdown_text(open_tab(at, "Why these names"))
    assert "image_filters/conv1/weights:0" not in text
    # Sentences quote the snippet's names: they reach Markdown escaped, as plain text.
    assert "- " + escaped("line 15 reuses image_filters/conv1/weights because "
                          "scope.reuse_variables() was called on image_filters at line 35") in text
    assert "- **line 15**: " + escaped("weights is image_filters/conv1/weights: tf.get_variable "
                                       "put it in variable scope image_filters/conv1.") in text
    assert [m.value for m in open_tab(at, "Variables").metric] == ["4", "4", "0"]


def test_run_button_runs_the_edited_snippet_and_shows_an_error_with_its_line() -> None:
    at = app()
    at.run()
    source = "x = tf.get_variable('x', [1])\ny = tf.get_variable('x', [1])\n"
    at.session_state["source"] = source
    at.button(key="run").click()
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert any(e.startswith(escaped("ValueError at line 2, column 5: Variable x already exists"))
               for e in errors)
    assert at.session_state["source"] == source  # the editor keeps the text
    assert at.query_params["snippet"] == encode_snippet(source)
    assert "x:0" in markdown_text(at)  # the partial graph: x was made before the error


SHARED = "with tf.name_scope('shared'):\n    v = tf.Variable(1, name='v')\nprint(v.name)\n"


def test_snippet_link_loads_the_code_and_runs_it_only_on_a_click() -> None:
    at = app()
    at.query_params["snippet"] = encode_snippet(SHARED)
    at.run()
    assert at.session_state["source"] == SHARED
    assert not at.code and not at.tabs  # nothing ran
    assert any("runs on this computer" in i.value for i in at.info)
    at.button(key="run_shared").click()
    at.run()
    assert "shared/v:0" in [c.value for c in open_tab(at, "Output").code][0]
    assert not any("runs on this computer" in i.value for i in at.info)  # the notice went
    assert at.button(key="run")  # and the usual Run button is back


def test_a_waiting_shared_snippet_runs_by_its_button_only(checkpoints: dict[str, str]) -> None:
    """Switching TF1/TF2 or uploading a checkpoint asked for a run, and ran the code of a
    link that waited for its button."""
    at = app()
    at.query_params["snippet"] = encode_snippet(SHARED)
    at.run()
    at.button_group(key="mode").set_value("tf2").run()
    at.button_group(key="mode").set_value("tf1").run()
    at.file_uploader(key="checkpoint_upload").set_value(uploads(checkpoints["flat"])).run()
    assert not at.exception
    assert at.session_state["source"] == SHARED
    assert "trace" not in at.session_state and not at.tabs  # nothing ran
    assert any("runs on this computer" in i.value for i in at.info)
    at.button(key="run_shared").click().run()
    assert "shared/v:0" in [c.value for c in open_tab(at, "Output").code][0]


def test_hosted_snippet_link_runs_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOPEVIZ_HOSTED", "1")
    at = app()
    at.query_params["snippet"] = encode_snippet(SHARED)
    at.run()
    assert at.session_state["source"] == SHARED
    assert at.tabs, "a hosted link runs without a click"


def test_a_thousand_nested_name_scopes_are_drawn_folded() -> None:
    """Legal TF that crashed the page with RecursionError."""
    from snippets import DEEP

    at = app()
    at.run()
    at.session_state["source"] = DEEP
    at.button(key="run").click().run()
    assert not at.exception
    assert any("are folded into one box each" in c.value for c in at.caption)
    assert "a (1 variables)" in markdown_text(at)


@pytest.mark.parametrize("step", ["\u00b2", "9" * 5000, "-1", "3"])
def test_a_step_link_of_any_text_opens_the_page(step: str) -> None:
    """``?step=²`` passed str.isdigit and raised in int(), as did 5,000 digits."""
    at = app()
    at.query_params.update({"example": "seed_1_name_scope_vs_variable_scope", "step": step})
    at.run()
    assert not at.exception
    assert at.session_state["stepping"] is (step == "3")


def test_hostile_example_name_in_a_link_is_shown_as_text() -> None:
    at = app()
    at.query_params["example"] = "[x](javascript:alert(1))![i](http://evil/i.png)<b>x</b>"
    at.run()
    assert not at.exception
    warning = at.warning[0].value
    assert "[x](" not in warning and "![i](" not in warning and "<b>" not in warning
    assert warning == escaped("Could not open the shared link: there is no example named "
                              "'[x](javascript:alert(1))![i](http://evil/i.png)<b>x</b>'")


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
    assert "default_name=\"block\"" in at.session_state["source"]
    assert "block_1/w:0" in markdown_text(at)


def test_a_longer_time_limit_when_the_server_allows_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOPEVIZ_TIMEOUT", "1")
    monkeypatch.setenv("SCOPEVIZ_MAX_TIMEOUT", "6")
    at = app()
    at.run()
    at.session_state["source"] = "import time\ntime.sleep(2)\nprint('slept')\n"
    at.button(key="run").click()
    at.run()
    errors = [e.value for e in at.error]
    assert errors and errors[0].startswith(escaped(
        "Timeout at line 2, column 1: the snippet ran longer than its time limit of 1 s"))
    assert escaped("the app's time limit (up to the server's SCOPEVIZ_MAX_TIMEOUT)") in errors[0]
    at.slider(key="time_limit").set_value(4.0)
    at.button(key="run").click()
    at.run()
    assert not at.error
    assert "slept" in [c.value for c in open_tab(at, "Output").code][0]


def test_a_drawing_failure_leaves_the_other_tabs_and_downloads(
        broken_graphviz: list[str]) -> None:
    calls = broken_graphviz  # graphviz failing; the run is real TF
    at = app()
    at.run()
    at.session_state["source"] = "v = tf.Variable(1, name='drawing_failure_case')\n"
    at.button(key="run").click()
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors == [escaped("The graph could not be drawn: graphviz failed: Error: out of "
                              "memory. The name filter or the depth limit in the sidebar draw "
                              "a part of it; the Variables tab and the CSV and JSON downloads "
                              "have everything.")]
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["DOT", "CSV", "JSON"]
    # the failure is kept: reruns say it again without asking graphviz again (one failure
    # took it a minute, on every rerun), and offer no drawing with another tab open
    tried = len(calls)
    at.run()
    assert [e.value for e in at.error] == errors
    open_tab(at, "Variables")
    assert [m.value for m in at.metric] == ["1", "0", "0"]  # the Variables tab is there
    assert [b.proto.label for b in at.get("download_button")] == labels
    assert len(calls) == tried


def test_a_series_member_opens_in_place_and_slots_sit_in_their_variable() -> None:
    at = app()
    at.query_params["example"] = "model_ptb_language_model"
    at.run()
    assert not at.exception
    (opener,) = [m for m in at.multiselect if m.key == "expand"]
    layer_3 = "Model/layer_3"
    assert layer_3 in opener.options
    assert f"<title>cluster_{layer_3}</title>" not in markdown_text(at)
    opener.set_value([layer_3]).run()
    assert not at.exception
    svg = markdown_text(at)
    assert "layer_[0..5] x5" in svg and f"<title>cluster_{layer_3}</title>" in svg
    slots_line = "slots: Adam, Adam_1, ExponentialMovingAverage"
    assert slots_line in svg
    legend = next(h.proto.body for h in at.get("html") if "scopeviz-legend" in h.proto.body)
    assert ">slot (" in legend  # slots are counted as slots, not as uniquified alarms
    # The Variables tab keeps TF's status and marks each slot; name, status, shape and line
    # come first (at 1366 px the rest scrolls)
    table = open_tab(at, "Variables").dataframe[0]
    rows = {row["name"]: row for row in table.value.to_dict("records")}
    slot = rows["Model/Model/embedding/Adam_1:0"]
    assert (slot["status"], slot["slot"]) == ("uniquified", "of Model/embedding: Adam's "
                                                            "second moment, v")
    assert rows["Model/embedding:0"]["slot"] == ""
    assert list(table.proto.column_order)[:5] == ["name", "status", "shape", "line", "slot"]
    at.checkbox(key="compact_slots").uncheck()
    assert slots_line not in markdown_text(open_tab(at, "Graph"))


def test_loading_an_example_keeps_the_users_text_recoverable() -> None:
    at = app()
    at.run()
    mine = "with tf.variable_scope('mine'):\n    w = tf.get_variable('w', [1])\n"
    at.session_state["source"] = mine
    at.button(key="run").click().run()
    at.selectbox(key="gallery_choice").select("seed_2_tf_variable_duplicates").run()
    at.button(key="load_example").click().run()
    assert "conv1_weights" in at.session_state["source"]
    at.button(key="restore").click().run()
    assert not at.exception
    assert at.session_state["source"] == mine
    assert not [b for b in at.button if b.key == "restore"]  # one restore per load


def test_a_clicked_series_box_opens_one_member_in_place() -> None:
    at = app()
    at.query_params["example"] = "model_ptb_language_model"
    at.run()
    at.session_state["selected"] = "Model/layer_*"  # what a click on the series box sends
    at.run()
    assert not at.exception
    assert any(escaped("layer_[0..5] x6: 6 scopes drawn as one box") in m.value
               for m in at.markdown)
    at.selectbox(key="open_member").select("Model/layer_3").run()
    at.button(key="open_member_button").click().run()
    assert not at.exception
    svg = markdown_text(at)
    assert "<title>cluster_Model/layer_3</title>" in svg and "layer_[0..5] x5" in svg


REFACTORED = ('with tf.variable_scope("fc1"):\n    w = tf.get_variable("weights", [3, 4])\n'
              'b = tf.get_variable("biases", [4])\n')


def uploads(prefix: str) -> list[tuple[str, bytes, str]]:
    """A checkpoint's .index and .data files as the upload widget takes them."""
    return [(prefix.rsplit("/", 1)[1] + ending, open(prefix + ending, "rb").read(),
             "application/octet-stream") for ending in (".index", ".data-00000-of-00001")]


def test_an_uploaded_checkpoint_colours_the_graph_and_fills_the_checkpoint_tab(
        checkpoints: dict[str, str]) -> None:
    at = app()
    at.run()
    at.session_state["source"] = REFACTORED
    files = uploads(checkpoints["flat"])
    at.file_uploader(key="checkpoint_upload").set_value(files).run()
    assert not at.exception
    assert [tab.label for tab in at.tabs][-1] == "Checkpoint"
    svg = markdown_text(at)
    # the moved variable is missing, the old key is drawn as an unused key, biases restore
    assert "fc1/weights:0" in svg and "missing" in svg and "unused key" in svg
    assert "#f4a582" in svg and "#a6dba0" in svg
    table = open_tab(at, "Checkpoint").dataframe[-1].value
    missing = table[table["check"] == "missing"].iloc[0]
    assert (missing["variable"], missing["key"]) == ("fc1/weights", "weights")
    assert missing["reason"].startswith("`fc1/weights` vs `weights`: the same name")
    assert list(table["check"]) == ["missing", "unused", "restores"]
    assert any(escaped("1 restore, 1 missing, 0 mismatched, 1 unused keys") in m.value
               for m in at.markdown)
    assert any(escaped("top-level variables moved into `fc1`: 1 variable. The assignment_map "
                       "below loads them.") in m.value for m in at.markdown)
    # An upload without its index is said, and checks nothing.
    at.file_uploader(key="checkpoint_upload").set_value(files[1:]).run()
    assert any(escaped("Not checked: the upload has no .index file") in e.value
               for e in at.error)
    assert [tab.label for tab in at.tabs][-1] == "Output"


def test_tf2_mode_checks_an_uploaded_checkpoint_through_ckpt_root(
        checkpoints: dict[str, str]) -> None:
    from checkpoints import NET_TF2
    at = app()
    at.query_params["mode"] = "tf2"
    at.run()
    renamed = NET_TF2.replace("self.encoder", "self.enc").replace("root = Net()", "root = Net()\n"
                                                                 "ckpt_root = root")
    at.session_state["source"] = "import tensorflow as tf\n" + renamed
    at.file_uploader(key="checkpoint_upload").set_value(uploads(checkpoints["net_tf2"])).run()
    assert not at.exception
    assert [tab.label for tab in at.tabs][-1] == "Checkpoint"
    assert "#f4a582" in markdown_text(at)  # the missing box's colour
    table = open_tab(at, "Checkpoint").dataframe[-1].value
    assert list(table["check"]) == ["missing", "unused", "restores", "restores", "restores"]
    missing = table[table["check"] == "missing"].iloc[0]
    assert (missing["variable"], missing["key"]) == ("enc", "encoder/.ATTRIBUTES/VARIABLE_VALUE")
    # without a ckpt_root the panel says what to do, and checks nothing
    at.session_state["source"] = "import tensorflow as tf\nv = tf.Variable(1.0)\n"
    at.button(key="run").click().run()
    assert any(escaped("in a variable named ckpt_root") in w.value for w in at.warning)
    assert [tab.label for tab in at.tabs][-1] != "Checkpoint"


def test_the_compare_view_maps_a_refactor_and_its_link_carries_both_snippets() -> None:
    at = app()
    at.run()
    at.segmented_control(key="view").set_value("Compare two snippets").run()
    # the example pair, with one more variable in A
    at.session_state["compare_a"] += "extra = tf.Variable(1.0, name='extra')\n"
    at.button(key="compare").click().run()
    assert not at.exception
    assert any(escaped("1 same, 4 renamed, 0 changed, 1 only in A, 0 only in B.") in m.value
               for m in at.markdown)
    table = at.dataframe[-1].value
    assert list(zip(table["mapping"], table["A"], table["B"])) == [
        ("renamed", "weights", "fc1/weights"), ("renamed", "biases", "fc1/biases"),
        ("renamed", "weights_1", "fc2/weights"), ("renamed", "biases_1", "fc2/biases"),
        ("only in A", "extra", ""), ("same", "global_step", "global_step")]
    drawn = [json.loads(g.proto.json) for g in at.get("bidi_component")]
    svgs = [data["svg"] for data in drawn if "svg" in data]  # not the keyboard's
    assert len(svgs) == 2 and all("#abd9e9" in svg for svg in svgs)  # renamed, both sides
    assert "weights_1:0" in svgs[0] and "fc2/weights:0" in svgs[1]
    assert at.query_params["view"] == "compare"
    # The link opens both snippets and, on this computer, waits for a click.
    a, b = at.query_params["a"], at.query_params["b"]
    shared = app()
    shared.query_params.update({"view": "compare", "a": a, "b": b})
    shared.run()
    assert shared.session_state["compare_a"].endswith("name='extra')\n")
    assert shared.session_state["compare_b"].startswith('"""A refactor, after')
    assert shared.session_state["compare_waiting"] is True
    assert not shared.dataframe
    shared.button(key="compare_shared").click().run()
    assert list(shared.dataframe[-1].value["mapping"]) == list(table["mapping"])


def editor_marked_rows(at: AppTest) -> list[int]:
    """The rows (0-based, Ace's) the code editor was told to mark."""
    for element in at.get("component_instance"):
        args = json.loads(element.proto.json_args)
        if "props" in args:
            return [marker["startRow"] for marker in args["props"]["markers"]]
    raise AssertionError("no code editor on the page")


def test_next_and_back_move_the_editors_mark_the_step_and_the_link_together() -> None:
    """The step-through reran only its own part: the editor kept the first step's line."""
    at = app()
    at.query_params.update({"example": "seed_1_name_scope_vs_variable_scope", "step": "3"})
    at.run()
    assert editor_marked_rows(at) == [13]  # step 3 is line 14
    at.button(key="step_next").click().run()
    assert editor_marked_rows(at) == [14]
    assert any(m.value.startswith("**Step 4 of 7, line 15**") for m in at.markdown)
    assert at.query_params["step"] == "4"
    at.button(key="step_back").click().run()
    at.button(key="step_back").click().run()
    assert editor_marked_rows(at) == [12] and at.query_params["step"] == "2"


def test_the_one_snippet_page_is_as_it_was_after_a_visit_to_compare() -> None:
    """The pages are separate: the One-snippet page's choices (mode, example, step-through,
    highlight) are not drawn on Compare, and come back with it."""
    at = app()
    at.query_params.update({"example": "seed_3_get_variable_sharing", "step": "4"})
    at.run()
    at.text_input(key="graph_search").set_value("weights").run()
    at.segmented_control(key="view").set_value("Compare two snippets").run()
    assert not at.exception and at.button(key="compare")
    assert not [b for b in at.button if b.key == "run"]
    at.segmented_control(key="view").set_value("One snippet").run()
    assert (at.session_state["mode"], at.session_state["gallery_choice"]) == (
        "tf1", "seed_3_get_variable_sharing")
    assert (at.session_state["stepping"], at.session_state["step"]) == (True, 4)
    assert at.text_input(key="graph_search").value == "weights"
    assert any(m.value.startswith("**Step 4 of") for m in at.markdown)


def test_the_compare_view_in_tf2_mode_maps_attribute_paths() -> None:
    from snippets import TF2_NET
    at = app()
    at.query_params["mode"] = "tf2"
    at.run()
    at.segmented_control(key="view").set_value("Compare two snippets").run()
    at.session_state["compare_a"] = TF2_NET
    at.session_state["compare_b"] = TF2_NET.replace("self.encoder", "self.enc")
    at.button(key="compare").click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(zip(table["mapping"], table["A"], table["B"])) == [
        ("renamed", "encoder", "enc"), ("same", "head", "head")]
    assert (at.query_params["mode_a"], at.query_params["mode_b"]) == ("tf2", "tf2")


def test_the_compare_view_maps_a_tf1_model_onto_its_tf2_migration() -> None:
    """A in TF1 mode, B in TF2 mode, each chosen above its editor (in TF2 mode the TF1 side
    failed: no attribute 'placeholder')."""
    from snippets import TF1_LAYERS, TF2_LAYERS
    at = app()
    at.run()
    at.segmented_control(key="view").set_value("Compare two snippets").run()
    at.segmented_control(key="compare_mode_b").set_value("tf2").run()
    at.session_state["compare_a"] = TF1_LAYERS
    at.session_state["compare_b"] = TF2_LAYERS
    at.button(key="compare").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[-1].value
    assert list(zip(table["mapping"], table["A"], table["B"])) == [
        ("renamed", "encoder/dense/kernel", "encoder/kernel"),
        ("renamed", "encoder/dense/bias", "encoder/bias"),
        ("renamed", "head/dense/kernel", "head/kernel"),
        ("renamed", "head/dense/bias", "head/bias")]
    assert [c.value for c in at.caption if c.value.startswith(("A (", "B ("))] == [
        "A (TF1): 4 variables", "B (TF2): 4 variables"]
    assert (at.query_params["mode_a"], at.query_params["mode_b"]) == ("tf1", "tf2")
    # B back in TF1 mode: the next Compare runs it in TF1
    at.segmented_control(key="compare_mode_b").set_value("tf1").run()
    assert at.query_params["mode_b"] == "tf1"
    at.button(key="compare").click().run()
    assert [c.value for c in at.caption if c.value.startswith("B (")] == ["B (TF1): 4 variables"]


def test_tf2_mode_from_a_link_runs_real_tf2_and_says_why_a_layer_is_numbered() -> None:
    at = app()
    at.query_params["example"] = "keras3_layer_counter"
    at.run()
    assert not at.exception
    assert at.session_state["mode"] == "tf2"
    layers = open_tab(at, "Variables").dataframe[-1].value
    assert list(layers["name"]) == ["dense", "dense_1", "dense", "dense_2"]
    assert layers["why"].iloc[3] == ("Keras's `dense` counter was taken by dense (line 9), "
                                     "dense_1 (line 10)")
    assert any(escaped("layer dense_2 is numbered") in m.value
               for m in open_tab(at, "Why these names").markdown)
    # a snippet of the user's own, in TF2 mode: its link carries the mode
    at.session_state["source"] = "import tensorflow as tf\na = tf.Variable(1.0)\n" \
                                 "b = tf.Variable(2.0)\n"
    at.button(key="run").click().run()
    assert at.query_params["mode"] == "tf2"
    assert "Variable (2):0" in markdown_text(open_tab(at, "Graph"))  # both eager Variable:0
    variables = open_tab(at, "Variables").dataframe[0].value
    assert list(variables["warnings"]) == ["duplicate_name", "duplicate_name"]
    # back to TF1: the same text runs as compat.v1, where TF numbers the second variable
    at.segmented_control(key="mode").set_value("tf1").run()
    assert not at.exception
    assert "Variable_1:0" in markdown_text(open_tab(at, "Graph"))
    assert "mode" not in at.query_params


def test_a_workshop_servers_access_code_comes_before_anything_runs(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCOPEVIZ_ACCESS_CODE", "tiger-42")
    at = app()
    at.query_params["example"] = "seed_1_name_scope_vs_variable_scope"  # runs when loaded
    at.run()
    assert "trace" not in at.session_state and not [b for b in at.button if b.key == "run"]
    at.text_input(key="access_code").set_value("tiger-41")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["That is not this server's access code."]
    assert "trace" not in at.session_state and at.session_state["access_failures"] == 1
    at.text_input(key="access_code").set_value("tiger-42")
    at.button[0].click().run()
    assert not at.exception and not at.error
    assert at.session_state["trace"].ok  # admitted: the example the link named has run
    assert [v.name for v in at.session_state["trace"].variables][-1] == "nsc1_1/v4:0"


def test_an_exercise_marks_each_answer_and_says_why_for_a_miss() -> None:
    at = app()
    at.query_params["exercise"] = "seed_1_name_scope_vs_variable_scope"
    at.run()
    assert not at.exception
    inputs = [t for t in at.text_input if t.key.startswith("answer_")]
    assert [t.label for t in inputs][3] == escaped("line 23: v4 = tf.Variable([1], name='v4')")
    for answer, field in zip(["nsc1/v1:0", "nsc1/vsc1/v2", "nsc1/vsc1/v3:0", "nsc1_1/v4:0"],
                             inputs):
        field.input(answer)
    next(b for b in at.button if b.label == "Check").click()
    at.run()
    assert [w.value for w in at.warning] == ["3 of 4 right"]
    miss = next(m for m in markdown_text(at).splitlines() if "Not quite" in m)
    assert escaped("TF names it vsc1/v3:0") in miss
    assert escaped("v3 is vsc1/v3 and not nsc1/vsc1/v3 because tf.get_variable ignores name "
                   "scopes") in miss
    assert at.query_params["exercise"] == "seed_1_name_scope_vs_variable_scope"
