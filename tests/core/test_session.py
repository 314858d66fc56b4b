"""The session model's transitions, called on a plain dict: no page, no Streamlit."""

from __future__ import annotations

import json
import re

import pytest
from support import GOLDENS, ROOT, first_visit

from viz.core import session
from viz.core.gallery import load_galleries
from viz.core.names import TF1, TF2
from viz.core.share import encode_snippet
from viz.core.trace import Trace
from viz.core.view import RenderOptions

GALLERY = load_galleries()

OWN_TEXT = "v = tf.Variable(1, name='mine')\n"


def seed_trace() -> Trace:
    text = (GOLDENS / "seed_1_name_scope_vs_variable_scope.trace.json").read_text("utf-8")
    return Trace.from_dict(json.loads(text))


def test_a_first_visit_shows_the_first_example_without_running_it() -> None:
    state = first_visit()
    assert state["mode"] == TF1
    assert state["example"] == state["gallery_choice"] == GALLERY.first(TF1).stem
    assert state["source"] == state["editor_text"] == GALLERY.first(TF1).source
    assert state["run_requested"] is False
    assert state["view"] == session.ONE
    assert state["compare_a"] == GALLERY.examples["refactor_before"].source
    assert state["compare_b"] == GALLERY.examples["refactor_after"].source


def test_a_tf2_link_starts_with_the_first_tf2_example() -> None:
    state = first_visit(mode=TF2)
    assert (state["mode"], state["example"]) == (TF2, GALLERY.first(TF2).stem)


@pytest.mark.parametrize("hosted", [False, True])
def test_a_shared_snippet_runs_at_once_only_when_runs_are_sealed(hosted: bool) -> None:
    state: dict = {}
    session.open_link(state, {"snippet": encode_snippet(OWN_TEXT)}, GALLERY, hosted=hosted)
    assert state["source"] == OWN_TEXT and state["example"] is None
    assert state["run_requested"] is hosted
    assert state["shared_waiting"] is not hosted


def test_broken_links_say_why_and_keep_the_first_example() -> None:
    damaged = first_visit(snippet=encode_snippet(OWN_TEXT)[:-6])
    assert "damaged" in damaged["link_error"] or "decoded" in damaged["link_error"]
    assert damaged["source"] == GALLERY.first(TF1).source
    unknown = first_visit(example="x" * 200)
    assert unknown["link_error"].startswith("there is no example named 'xxx")
    assert len(unknown["link_error"]) < 120


def test_an_example_link_loads_and_runs_it_in_its_mode() -> None:
    stem = GALLERY.first(TF2).stem
    state = first_visit(example=stem)
    assert (state["mode"], state["example"], state["run_requested"]) == (TF2, stem, True)


def test_a_step_link_opens_the_step_through() -> None:
    assert (first_visit(step="7")["stepping"], first_visit(step="7")["step"]) == (True, 7)
    assert "stepping" not in first_visit(step="-1")


def test_a_compare_link_fills_both_editors_and_waits() -> None:
    state = first_visit(view="compare", a=encode_snippet("a = 1\n"), b=encode_snippet("b = 2\n"))
    assert state["view"] == session.COMPARE
    assert (state["compare_a"], state["compare_b"]) == ("a = 1\n", "b = 2\n")
    assert (state["compare_requested"], state["compare_waiting"]) == (False, True)
    assert session.address(state, GALLERY) == {"view": "compare", "a": encode_snippet("a = 1\n"),
                                               "b": encode_snippet("b = 2\n"),
                                               "mode_a": TF1, "mode_b": TF1}


def test_each_side_of_a_compare_link_keeps_its_own_mode() -> None:
    """A TF1 model beside its TF2 migration; an older link's ``mode`` sets both sides."""
    pair = {"view": "compare", "a": encode_snippet("a = 1\n"), "b": encode_snippet("b = 2\n")}
    state = first_visit(**pair, mode_a=TF1, mode_b=TF2)
    assert (state["compare_mode_a"], state["compare_mode_b"]) == (TF1, TF2)
    assert session.address(state, GALLERY) == {**pair, "mode_a": TF1, "mode_b": TF2}
    state = first_visit(**pair, mode=TF2)
    assert (state["compare_mode_a"], state["compare_mode_b"]) == (TF2, TF2)
    state = first_visit(**pair, mode_a="<b>tf3</b>")
    assert (state["compare_mode_a"], state["compare_mode_b"]) == (TF1, TF1)


def test_loading_an_example_keeps_the_users_own_text_recoverable() -> None:
    state = first_visit()
    session.load_example(state, GALLERY, "seed_2_tf_variable_duplicates")
    assert "undo_source" not in state  # an unchanged example is no loss
    state["source"] = OWN_TEXT
    session.load_example(state, GALLERY, "seed_3_get_variable_sharing")
    assert state["undo_source"] == OWN_TEXT and state["run_requested"]
    generation = state["editor_generation"]
    session.restore_edits(state)
    assert (state["source"], state["example"]) == (OWN_TEXT, None)
    assert state["editor_generation"] == generation + 1  # a fresh editor shows it


def test_switching_mode_swaps_an_unchanged_example_and_keeps_own_text() -> None:
    state = first_visit()
    state["mode"] = TF2
    session.switch_mode(state, GALLERY)
    assert state["example"] == GALLERY.first(TF2).stem
    state["source"] = OWN_TEXT
    state["mode"] = None  # a click on the chosen mode unchooses it
    session.switch_mode(state, GALLERY)
    assert (state["mode"], state["source"], state["example"]) == (TF1, OWN_TEXT, None)
    assert state["gallery_choice"] == GALLERY.first(TF1).stem and state["run_requested"]


def test_only_a_submit_from_the_editor_runs_and_each_report_counts_once() -> None:
    state = first_visit()
    session.take_editor_response(state, {"id": "1", "type": "blur", "text": OWN_TEXT})
    assert state["source"] == OWN_TEXT and not state["run_requested"]
    session.take_editor_response(state, {"id": "2", "type": "submit", "text": OWN_TEXT})
    assert state["run_requested"]
    state["run_requested"] = False
    session.take_editor_response(state, {"id": "2", "type": "submit", "text": "x = 1\n"})
    assert state["source"] == OWN_TEXT and not state["run_requested"]
    session.take_editor_response(state, {"id": "", "type": "submit", "text": "x = 1\n"})
    assert state["source"] == OWN_TEXT


def test_shared_code_runs_only_by_its_own_button() -> None:
    state = first_visit(snippet=encode_snippet(OWN_TEXT))
    session.take_editor_response(state, {"id": "1", "type": "submit", "text": OWN_TEXT})
    state["run_requested"] = True  # an upload or a mode switch asks as well
    session.gate_shared(state)
    assert not state["run_requested"]
    session.run_shared(state)
    session.gate_shared(state)
    assert state["run_requested"] and not state["shared_waiting"]


def test_play_steps_to_the_last_step_and_stops() -> None:
    state = {"step": 2, "playing": True}
    assert [session.play_on(state, 4) for _ in range(4)] == [3, 4, 4, 4]
    assert state["playing"] is False
    session.move_step(state, -1)
    assert (state["step"], state["playing"]) == (3, False)
    assert session.play_on({"step": 99}, 4) == 4 and session.play_on({"step": 0}, 4) == 1


def test_play_at_the_last_step_starts_over_and_pause_stops() -> None:
    state = {"step": 4}
    session.toggle_play(state, 4)
    assert (state["step"], state["playing"]) == (1, True)
    session.toggle_play(state, 4)
    assert (state["step"], state["playing"]) == (1, False)
    state.update(step=2)
    session.toggle_play(state, 4)
    assert (state["step"], state["playing"]) == (2, True)


@pytest.mark.parametrize("speed, interval", [(None, 1.0), (2.0, 0.5), (0.5, 2.0), (1e-9, 1.0)])
def test_the_play_speed_sets_the_time_between_steps(speed: float | None,
                                                    interval: float) -> None:
    assert session.play_interval({"play_speed": speed}) == interval


def test_the_address_names_an_unchanged_example_else_carries_the_text() -> None:
    state = first_visit()
    stem = GALLERY.first(TF1).stem
    assert session.share_query(state, GALLERY, state["source"]) == {"example": stem}
    state.update(stepping=True, step=3, mode=TF2)
    assert session.share_query(state, GALLERY, OWN_TEXT) == {
        "snippet": encode_snippet(OWN_TEXT), "step": "3", "mode": TF2}


def test_a_finished_run_becomes_the_page_and_the_last_good_run() -> None:
    state: dict = {}
    trace = seed_trace()
    session.take_run(state, trace, "source")
    assert (state["trace"], state["last_good"], state["ran_source"]) == (trace, trace, "source")
    assert state["checked"] is None and state["drawn"] is None


def test_an_upload_is_checked_once_per_upload_failures_included() -> None:
    calls = []

    def check(files: list[tuple[str, bytes]]) -> dict[str, bytes]:
        calls.append(files)
        raise ValueError("not a checkpoint")

    state: dict = {}
    upload = [("id1", "model.zip", b"PK")]
    for _ in range(3):
        assert session.check_upload(state, upload, check, ValueError) is None
    assert len(calls) == 1 and state["upload_error"] == "not a checkpoint"
    assert session.check_upload(state, [], check, ValueError) is None
    assert state["upload_error"] is None and len(calls) == 1


def test_dot_texts_are_kept_for_the_traces_on_the_page_only() -> None:
    made = []

    def make(trace: Trace, options: RenderOptions) -> str:
        made.append(options)
        return f"digraph {{ /* {options.rankdir} */ }}"

    trace, other = seed_trace(), seed_trace()
    state: dict = {"trace": trace}
    for _ in range(2):
        for rankdir in ("LR", "TB"):
            session.cached_dot(state, trace, RenderOptions(rankdir=rankdir), make)
    assert len(made) == 2  # an equal trace that is another object is another entry
    session.cached_dot(state, other, RenderOptions(), make)  # a step's trace, say
    assert len(made) == 3 and len(state["dot_cache"]) == 3
    session.cached_dot(state, trace, RenderOptions(), make)
    assert len(state["dot_cache"]) == 2  # `other` is not on the page: dropped at the next
    for depth in range(1, 12):
        session.cached_dot(state, trace, RenderOptions(max_depth=depth), make)
    assert len(state["dot_cache"]) == 8


def test_every_session_key_the_app_uses_is_declared() -> None:
    sources = [ROOT / "app.py", *sorted((ROOT / "viz").rglob("*.py"))]
    pattern = re.compile(r"""\bstate(?:\.get\(|\.pop\(|\.setdefault\(|\[)["'](\w+)["']"""
                         r"""|\bstate\.(\w+)\b(?!\()""")
    used = {a or b for path in sources for a, b in pattern.findall(path.read_text("utf-8"))}
    assert len(used) > 30
    assert used - set(session.KEYS) == set()


def test_a_present_link_opens_the_presenter_view_stepping_and_its_address_keeps_it() -> None:
    state = first_visit(example="seed_1_name_scope_vs_variable_scope", present="1", step="3")
    assert state["presenting"] is True and state["stepping"] is True and state["step"] == 3
    query = session.share_query(state, GALLERY, state["source"])
    assert query == {"example": "seed_1_name_scope_vs_variable_scope", "step": "3",
                     "present": "1"}
    state["playing"] = True
    session.present(state, False)
    assert "present" not in session.share_query(state, GALLERY, state["source"])
    assert state["playing"] is False
    assert first_visit(present="yes").get("presenting") is None
