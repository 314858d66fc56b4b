"""Golden tests: every example's variables, statuses, reuses and error, from real TF runs."""

from __future__ import annotations

import ast
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest
from support import EXAMPLES, GOLDENS, dump, example_paths

from viz import Executor, Trace
from viz.backend.drawing import export
from viz.core.explain import explain
from viz.core.tables import legend_counts, slot_notes, status_counts
from viz.core.view import RenderOptions

SEEDS = ["seed_1_name_scope_vs_variable_scope", "seed_2_tf_variable_duplicates",
         "seed_3_get_variable_sharing"]


def summary(trace: Trace) -> dict:
    """What a golden file pins down: names, what was asked for, status, line; reuses; error."""
    return {
        "variables": [[v.name, v.requested, v.status, v.api, v.line] for v in trace.variables],
        "reuses": [[r.name, r.name_scope, r.line] for r in trace.reuses],
        "error": None if trace.error is None else [trace.error.type, trace.error.line],
    }


def run_example(executor: Executor, path: Path) -> Trace:
    """Runs an example with room to spare: these tests check names, not speed (the real
    models take 2-4 s here, and a busy machine has taken one past the default 10 s)."""
    return executor.run(path.read_text(encoding="utf-8"), filename=path.name, timeout=120.0)


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_example_matches_golden(executor: Executor, path: Path, update_goldens: bool) -> None:
    trace = run_example(executor, path)
    golden = GOLDENS / f"{path.stem}.json"
    if update_goldens:
        golden.write_text(dump(summary(trace)), encoding="utf-8")
    assert summary(trace) == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_example_has_explaining_docstring(path: Path) -> None:
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert docstring and len(docstring.splitlines()) >= 3, "title line, blank line, explanation"


def test_there_are_enough_confusion_examples() -> None:
    others = [p for p in example_paths() if not p.stem.startswith("seed")]
    assert len(others) >= 12


def test_seed_1_prints_the_seed_names(executor: Executor) -> None:
    trace = run_example(executor, EXAMPLES / f"{SEEDS[0]}.py")
    assert trace.ok
    assert trace.stdout == ("v1.name:  nsc1/v1:0\nv2.name:  nsc1/vsc1/v2:0\n"
                            "v3.name:  vsc1/v3:0\nv4.name:  nsc1_1/v4:0\n")
    v4 = trace.variables[-1]
    assert (v4.name, v4.requested, v4.status) == ("nsc1_1/v4:0", "nsc1/v4", "uniquified")
    assert v4.dtype == "int32" and v4.shape == [1] and v4.api == "tf.Variable"


def test_seed_2_uniquifies_the_second_call(executor: Executor) -> None:
    trace = run_example(executor, EXAMPLES / f"{SEEDS[1]}.py")
    names = {v.name: v.status for v in trace.variables}
    assert names["conv1_weights:0"] == "created"
    assert names["conv1_weights_1:0"] == "uniquified"
    assert trace.stdout.startswith("There are 8 train_able_variables in the Graph: \n")


def test_seed_3_reuses_from_the_second_name_scope(executor: Executor) -> None:
    trace = run_example(executor, EXAMPLES / f"{SEEDS[2]}.py")
    first_reuse = trace.reuses[0]
    assert first_reuse.name == "image_filters/conv1/weights:0"
    assert first_reuse.name_scope == "image_filters/conv1_1"
    assert [v.name for v in trace.variables] == [
        "image_filters/conv1/weights:0", "image_filters/conv1/biases:0",
        "image_filters/conv2/weights:0", "image_filters/conv2/biases:0"]


def test_seed_notebook_prints_the_seed_output_byte_for_byte(executor: Executor) -> None:
    trace = run_example(executor, EXAMPLES / "seed_notebook.py")
    expected = (GOLDENS / "seed_notebook.stdout").read_text(encoding="utf-8")
    assert trace.ok
    assert trace.stdout == expected
    assert "There are 16 train_able_variables in the Graph: \n" in trace.stdout
    assert sum(v.trainable for v in trace.variables) == 16


@pytest.mark.dot
@pytest.mark.parametrize("path", example_paths(), ids=lambda p: p.stem)
def test_every_example_draws_with_and_without_collapsing(executor: Executor, path: Path) -> None:
    trace = run_example(executor, path)
    for options in (RenderOptions(), RenderOptions(collapse_series=False, compact_slots=False)):
        svg = ElementTree.fromstring(export(trace, "svg", options))
        titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
        if not options.collapse_series:  # then every variable is a node of its own
            assert {v.name for v in trace.variables} <= titles


SVG = "{http://www.w3.org/2000/svg}"


def drawn(trace: Trace, options: RenderOptions) -> dict[str, str]:
    """Each node and cluster of the SVG drawing: its title -> its text, lines joined."""
    svg = ElementTree.fromstring(export(trace, "svg", options))
    return {group.find(f"{SVG}title").text:
            "\n".join(t.text or "" for t in group.iter(f"{SVG}text"))
            for group in svg.iter(f"{SVG}g") if group.get("class") in ("node", "cluster")}


@pytest.mark.dot
def test_slots_are_drawn_inside_their_variable(executor: Executor) -> None:
    trace = run_example(executor, EXAMPLES / "model_dcgan.py")
    compact, separate = drawn(trace, RenderOptions()), drawn(
        trace, RenderOptions(compact_slots=False))
    slots = [v.name for v in trace.variables if "/Adam" in v.name]
    assert len(slots) == 2 * sum(v.trainable for v in trace.variables) == 64  # m and v of each
    primary = "discriminator/d_h0_conv/w:0"
    # Adam_1 is Adam's own naming, not the user's collision: no "uniquified" alarm.
    assert "slots: Adam, Adam_1\n" in compact[primary] + "\n"
    assert "uniquified" not in compact[primary]
    assert not any(slot in compact for slot in slots)
    # The legend counts slots as slots; the Variables tab keeps TF's status (numbered).
    statuses, legend = status_counts(trace), legend_counts(trace)
    numbered = sum(v.status == "uniquified" for v in trace.variables if v.name in slots)
    assert numbered == 32  # each Adam_1
    assert legend["slot"] == 64
    assert legend["uniquified"] == statuses["uniquified"] - numbered
    assert legend["created"] == statuses["created"] - (64 - numbered)
    names = {v.name for v in trace.variables}
    assert not any(title.startswith("cluster_") and title[len("cluster_"):] + ":0" in names
                   for title in compact)
    # Separately, each slot is a box saying whose it is, and each slotted variable's path a
    # scope box.
    assert all(slot in separate for slot in slots)
    assert "Adam_1\nslot of discriminator/d_h0_conv/w\n(Adam's second moment, v)" in separate[
        "discriminator/d_h0_conv/w/Adam_1:0"]
    # The Variables tab marks each slot with whose it is and what it holds; the why-sentence
    # says whose convention the _1 is.
    notes = slot_notes(trace)
    assert notes["discriminator/d_h0_conv/w/Adam:0"] == (
        "of discriminator/d_h0_conv/w: Adam's first moment, m")
    assert notes["discriminator/d_h0_conv/w/Adam_1:0"] == (
        "of discriminator/d_h0_conv/w: Adam's second moment, v")
    assert len(notes) == 64
    (why,) = [e.text for e in explain(trace) if e.subject == "discriminator/d_h0_conv/w/Adam_1:0"]
    assert "numbered this one Adam_1 (it holds Adam's second moment, v): the optimizer's own " \
           "convention, not a name your code repeated" in why
    assert f"cluster_{primary[:-2]}" in separate
    assert len(compact) < len(separate) - len(slots)


REAL_MODELS = {"model_bert_like_encoder": 204, "model_dcgan": 112,
               "model_multi_tower_trainer": 103, "model_ptb_language_model": 112,
               "model_resnet_layers": 107}


@pytest.mark.parametrize("stem", sorted(REAL_MODELS))
def test_real_models_have_their_variable_counts(executor: Executor, stem: str) -> None:
    trace = run_example(executor, EXAMPLES / f"{stem}.py")
    assert trace.ok, trace.error
    assert len(trace.variables) == REAL_MODELS[stem]
    assert trace.stdout.startswith(f"{REAL_MODELS[stem]} ")  # what TF itself counted


@pytest.mark.dot
def test_slots_made_inside_a_variable_scope_are_drawn_inside_their_variable(
        executor: Executor) -> None:
    # Adam and the moving averages ran inside variable_scope("Model") and name scope Train:
    # TF named the slots Model/Model/w/Adam; they still belong in Model/w's box, and the
    # scopes that held only them (Model/Model/..., Train/Model/Model/...) are not drawn.
    trace = run_example(executor, EXAMPLES / "model_ptb_language_model.py")
    compact = drawn(trace, RenderOptions())
    assert ("slots: Adam, Adam_1, ExponentialMovingAverage"
            in compact["Model/embedding:0"])
    assert not [title for title in compact if "Model/Model" in title]
    separate = drawn(trace, RenderOptions(compact_slots=False))
    assert "cluster_Model/Model/embedding" in separate
    assert "cluster_Train/Model/Model/embedding/Adam" in separate
