"""The pure modules (trace model, tree, render, tables) without TF, workers or dot."""

from __future__ import annotations

import json

import pytest
from conftest import GOLDENS

from viz.core.cache import BoundedCache
from viz.core.names import variable_status
from viz.core.pending import finished, serve
from viz.core.render import STATUS_COLORS, to_dot
from viz.core.tables import status_counts, to_csv
from viz.core.trace import Trace
from viz.core.tree import build_tree
from viz.core.view import RenderOptions

DOT_CASES = ["seed_1_name_scope_vs_variable_scope", "seed_3_get_variable_sharing"]


@pytest.mark.parametrize("requested, name, status", [
    ("nsc1/v4", "nsc1_1/v4:0", "uniquified"),
    ("conv1_weights", "conv1_weights_1:0", "uniquified"),
    ("Variable", "Variable_1:0", "uniquified"),
    ("dense/kernel", "dense_1/kernel:0", "uniquified"),
    ("w_1", "w_1:0", "created"),
    ("vsc1/v3", "vsc1/v3:0", "created"),
    ("layer/c", "layer_1/c:0", "uniquified"),
    ("s/one_name", "forced_name:0", "created"),  # a custom getter's own choice
    ("s/w", "s/w_ema:0", "created"),
    ("a/b", "a_x/b:0", "created"),
])
def test_variable_status(requested: str, name: str, status: str) -> None:
    assert variable_status(requested, name) == status


def load_trace(stem: str) -> Trace:
    return Trace.from_dict(json.loads((GOLDENS / f"{stem}.trace.json").read_text("utf-8")))


@pytest.mark.parametrize("stem", DOT_CASES)
def test_trace_round_trips_through_dict(stem: str) -> None:
    trace = load_trace(stem)
    assert Trace.from_dict(trace.to_dict()) == trace


def test_tree_nests_scopes_and_links_reuses() -> None:
    tree = build_tree(load_trace("seed_3_get_variable_sharing"))
    assert tree.nodes[""].children == ["image_filters"]
    assert tree.nodes["image_filters"].children == [
        "image_filters/conv1", "image_filters/conv2", "image_filters/conv1_1",
        "image_filters/conv2_1"]
    assert tree.nodes["image_filters/conv1"].kinds == ["variable_scope", "name_scope"]
    assert tree.nodes["image_filters/conv1_1"].kinds == ["name_scope"]
    assert "image_filters/conv1/weights:0" in tree.reused
    assert tree.reuse_count("image_filters/conv1/weights:0") == 1
    link = tree.reuses[0]
    assert (link.scope, link.variable) == ("image_filters/conv1_1",
                                           "image_filters/conv1/weights:0")


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


def test_counts_and_csv() -> None:
    trace = load_trace("seed_3_get_variable_sharing")
    assert status_counts(trace) == {"created": 4, "reused": 4, "uniquified": 0}
    assert to_csv(trace).splitlines()[5].startswith("image_filters/conv1/weights:0,"
                                                    "image_filters/conv1/weights,reused,")


def test_editor_marks_the_error_and_the_focused_lines() -> None:
    from viz.core.editor import ERROR_LINE_CLASS, FOCUS_LINE_CLASS, editor_props
    from viz.core.trace import ErrorInfo

    error = ErrorInfo("ValueError", "Variable x already exists\x1b[31m", 4, 9)
    props = editor_props(error, [2, 7, 2, 40], line_count=7)
    (annotation,) = props["annotations"]
    # Ace counts from 0; the message's control character is shown, not obeyed.
    assert (annotation["row"], annotation["column"], annotation["type"]) == (3, 8, "error")
    assert annotation["text"] == "ValueError: Variable x already exists\\x1b[31m"
    assert [(m["startRow"], m["className"]) for m in props["markers"]] == [
        (3, ERROR_LINE_CLASS), (1, FOCUS_LINE_CLASS), (6, FOCUS_LINE_CLASS)]
    # An error on a line the text no longer has (edited since the run) is not marked.
    empty = editor_props(error, [], line_count=3)
    assert (empty["annotations"], empty["markers"]) == ([], [])
    assert empty["enableLiveAutocompletion"] is False  # Enter never picks a completion


def test_an_editor_keeps_the_place_it_will_take() -> None:
    from viz.core.editor import reserved_height

    # 24 px lines (checked in the browser: 22 lines make a 528 px frame), between the bounds
    assert "{min-height:384px}" in reserved_height("editor_3", (16, 22), 2)
    assert "{min-height:432px}" in reserved_height("editor_3", (16, 22), 18)
    assert "{min-height:528px}" in reserved_height("editor_3", (16, 22), 400)
    assert reserved_height("editor_3", (16, 22), 2).startswith(".st-key-editor_3{")


def test_why_these_names_for_the_seed() -> None:
    from viz.core.explain import explain

    seed_1 = [s.text for s in explain(load_trace("seed_1_name_scope_vs_variable_scope"))]
    assert seed_1[2] == ("v3 is vsc1/v3 and not nsc1/vsc1/v3 because tf.get_variable ignores "
                         "name scopes and only uses variable scopes.")
    assert seed_1[3] == ("v4 is nsc1_1/v4 and not nsc1/v4 because name scope nsc1 was already "
                         "used at line 12, so TF appended _1 and opened nsc1_1.")
    seed_3 = explain(load_trace("seed_3_get_variable_sharing"))
    reuse = seed_3[4]
    assert (reuse.subject, reuse.line) == ("image_filters/conv1/weights:0", 15)
    assert reuse.text.startswith("line 15 reuses image_filters/conv1/weights because "
                                 "scope.reuse_variables() was called on image_filters at line 35")


def test_bounded_cache_keeps_recent_values_within_its_size() -> None:
    cache = BoundedCache(max_bytes=10)
    made: list[str] = []

    def maker(key: str, size: int):
        return lambda: made.append(key) or b"x" * size

    assert cache.get_or_make("a", maker("a", 4)) == b"xxxx"
    cache.get_or_make("b", maker("b", 4))
    cache.get_or_make("a", maker("a", 4))  # a hit: a is now the most recent
    cache.get_or_make("c", maker("c", 4))  # 12 bytes: b, the least recent, goes
    assert cache.size == 8
    cache.get_or_make("a", maker("a", 4))
    cache.get_or_make("b", maker("b", 4))
    assert made == ["a", "b", "c", "b"]
    assert cache.get_or_make("huge", maker("huge", 11)) == b"x" * 11  # too big to keep
    assert cache.size <= 10


def test_exported_drawings_carry_a_legend_and_the_page_drawing_does_not() -> None:
    tree = build_tree(load_trace("seed_3_get_variable_sharing"))
    page = to_dot(tree, RenderOptions())
    exported = to_dot(tree, RenderOptions(legend=True))
    assert "legend" not in page
    assert exported.startswith(page[:-2])  # the same drawing, the legend added at the end
    for text in ("created", "uniquified", "reused xN", "variable scope", "name scope"):
        assert f'"(legend) {text}" [label="{text}"' in exported
    assert exported.count('[style="invis"]') == 4  # one row in a left-to-right layout


def test_steps_replay_the_seed_one_event_at_a_time() -> None:
    from viz.core.steps import steps, trace_at

    trace = load_trace("seed_1_name_scope_vs_variable_scope")
    found = steps(trace)
    assert [s.index for s in found] == list(range(1, len(trace.events) + 1))
    third = found[2]
    assert (third.text, third.focus, third.line) == (
        "entered variable scope vsc1", "cluster_vsc1", 14)
    last = found[-1]
    assert last.focus == "nsc1_1/v4:0" and last.line == 23
    assert last.text.startswith("created nsc1_1/v4 (uniquified): v4 is nsc1_1/v4 and not "
                                "nsc1/v4 because name scope nsc1 was already used at line 12")
    assert trace_at(trace, 3).events == trace.events[:3]
    assert [v.name for v in trace_at(trace, 4).variables] == ["nsc1/v1:0", "nsc1/vsc1/v2:0"]


def test_a_clicked_box_has_its_details() -> None:
    from viz.core.details import node_details

    trace = load_trace("seed_3_get_variable_sharing")
    weights = node_details(trace, "image_filters/conv1/weights:0")
    assert weights is not None and weights.title == "image_filters/conv1/weights"
    rows = dict(weights.rows)
    assert rows["status"] == "created, reused by 1 later get_variable call"
    assert (rows["shape"], rows["dtype"], rows["line"]) == ("[5, 5, 32, 32]", "float32", "15")
    assert rows["reused at lines"] == "15" and weights.lines == [15]
    assert len(weights.why) == 2  # why it was created, and why line 15 got it back
    scope = node_details(trace, "cluster_image_filters/conv1")
    assert scope is not None and dict(scope.rows)["variables inside"] == "2"
    assert node_details(trace, "no/such:0") is None
    assert node_details(trace, "cluster_no/such") is None


def test_the_name_filter_counts_what_it_keeps() -> None:
    from viz.core.view import filter_matches

    names = ["enc/w:0", "dec/w:0", "dec/b:0"]
    assert filter_matches(names, " DEC/ ") == 2
    assert filter_matches(names, "nothing") == 0
    assert filter_matches(names, "") == 3


def test_a_line_points_at_what_it_made_and_got_back() -> None:
    from viz.core.details import boxes_by_line

    lines = boxes_by_line(load_trace("seed_3_get_variable_sharing"))
    # line 15 created conv1's weights and, called again, conv2's; line 1 made nothing
    assert lines[15] == ["image_filters/conv1/weights:0", "image_filters/conv2/weights:0"]
    assert 1 not in lines
    assert all(lines.values())


def test_an_upload_is_one_checkpoint_within_its_limit() -> None:
    import io
    import zipfile

    import pytest

    from viz.core.upload import BadUpload, checkpoint_files

    index, data = b"i" * 10, b"d" * 10
    # a path in a name is dropped to its base name; files of no checkpoint are left out
    files = checkpoint_files([("../../etc/m.ckpt.index", index),
                              ("m.ckpt.data-00000-of-00001", data), ("notes.txt", b"x")])
    assert files == {"m.ckpt.index": index, "m.ckpt.data-00000-of-00001": data}
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("run/m.ckpt.index", index)
        archive.writestr("run/m.ckpt.data-00000-of-00001", data)
    assert checkpoint_files([("ckpt.zip", packed.getvalue())]) == files
    # a zip bomb: 100 KB of zeros packed small is refused by what it unpacks to
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("m.ckpt.index", b"\0" * 100_000)
    assert len(bomb.getvalue()) < 2000
    with pytest.raises(BadUpload, match="unpacks to more than"):
        checkpoint_files([("bomb.zip", bomb.getvalue())], limit=50_000)
    with pytest.raises(BadUpload, match="larger than"):
        checkpoint_files([("m.ckpt.index", b"x" * 60_000)], limit=50_000)
    with pytest.raises(BadUpload, match="no .index file"):
        checkpoint_files([("m.ckpt.data-00000-of-00001", data)])
    with pytest.raises(BadUpload, match="2 .index files"):
        checkpoint_files([("a.index", index), ("b.index", index)])
    with pytest.raises(BadUpload, match="belongs to another checkpoint"):
        checkpoint_files([("a.index", index), ("b.data-00000-of-00001", data)])
    with pytest.raises(BadUpload, match="cannot be read"):
        checkpoint_files([("broken.zip", b"PK\x03\x04 not a zip")])


@pytest.mark.parametrize("members", [65, 70_000])
def test_a_zip_of_many_members_is_refused_before_it_is_read(members: int) -> None:
    """300,001 members took 22 s of the server's CPU to open and read; the count in the
    zip's end record is read first (past 65,535 a zip64 record holds it)."""
    import io
    import time
    import zipfile

    from viz.core.upload import MAX_ZIP_MEMBERS, BadUpload, checkpoint_files

    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("m.ckpt.index", b"i")
        for n in range(members - 1):
            archive.writestr(f"f{n}", b"")
    started = time.process_time()
    with pytest.raises(BadUpload, match=f"a few data files \\(at most {MAX_ZIP_MEMBERS}\\)"):
        checkpoint_files([("many.zip", packed.getvalue())])
    print(f"refused in {(time.process_time() - started) * 1000:.1f} ms of CPU")


@pytest.mark.parametrize("stem", ["a" * 300, "a\0b", "../x"])
def test_uploaded_files_are_written_under_names_of_ours(tmp_path: object, stem: str) -> None:
    """A 300-character name (past the file system's 255) or one with NUL raised from open()."""
    import os

    from viz.core.upload import checkpoint_files, write_checkpoint

    files = checkpoint_files([(f"{stem}.index", b"i"), (f"{stem}.data-00000-of-00001", b"d")])
    prefix = write_checkpoint(files, str(tmp_path))
    assert sorted(os.listdir(str(tmp_path))) == [
        "checkpoint.data-00000-of-00001", "checkpoint.index"]
    assert prefix == os.path.join(str(tmp_path), "checkpoint")


def test_marks_colour_variables_by_a_check_and_name_the_mark() -> None:
    from viz.core.render import MARK_COLORS, legend_html, to_dot
    from viz.core.trace import Trace, VariableEvent
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


def test_a_finished_run_is_found_by_the_rerun_that_interrupted_it() -> None:
    calls: list[str] = []
    box: dict = {}
    assert finished(box, ("a", "tf1"), lambda: calls.append("a") or "trace a") == "trace a"
    # the rerun that interrupted the script before the result was stored finds it
    assert finished(box, ("a", "tf1"), lambda: calls.append("again") or "other") == "trace a"
    # another request (other text or settings) runs
    assert finished(box, ("b", "tf1"), lambda: calls.append("b") or "trace b") == "trace b"
    assert calls == ["a", "b"]
    box.clear()  # what the caller does once the result is in place: the next request runs
    assert finished(box, ("b", "tf1"), lambda: calls.append("b2") or "trace b2") == "trace b2"


def test_a_run_that_raises_keeps_nothing() -> None:
    box: dict = {}
    with pytest.raises(RuntimeError):
        finished(box, "a", lambda: (_ for _ in ()).throw(RuntimeError("worker gone")))
    assert box == {}


def test_a_request_closes_once_served_and_stays_open_through_a_rerun() -> None:
    class Rerun(BaseException):
        """Streamlit stops a script for a rerun with an exception that is no Exception."""

    state: dict = {"asked": True}
    with pytest.raises(Rerun):
        with serve(state, "asked", "box") as box:
            finished(box, "a", lambda: "trace a")
            raise Rerun
    assert state == {"asked": True, "box": {"key": "a", "result": "trace a"}}
    # the next rerun finds the result, puts it in place and closes the request
    with serve(state, "asked", "box") as box:
        assert finished(box, "a", lambda: "run again") == "trace a"
    assert state == {"asked": False, "box": {}}
    # a failure closes the request too: said once, not retried by every rerun after it
    state["asked"] = True
    with pytest.raises(RuntimeError):
        with serve(state, "asked", "box"):
            raise RuntimeError("worker gone")
    assert state["asked"] is False

