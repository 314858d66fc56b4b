"""What gets drawn: collapsed series, depth limit, name filter and ops (no TF; the layout
order test runs graphviz)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree

import pytest

from viz.backend.execute import run_dot
from viz.core.render import to_dot
from viz.core.trace import (
    NameScopeEvent,
    ReuseEvent,
    Trace,
    VariableEvent,
    VariableScopeEvent,
)
from viz.core.tree import build_tree
from viz.core.view import (
    MAX_OPS_DRAWN,
    Mark,
    RenderOptions,
    build_view,
    matching_inside,
    openable,
    opened_for,
    slot_roles,
)

SVG = "{http://www.w3.org/2000/svg}"


def variable(name: str, requested: str | None = None, line: int = 1) -> VariableEvent:
    requested = requested or name.split(":")[0]
    status = "created" if requested == name.split(":")[0] else "uniquified"
    return VariableEvent(name=name, requested=requested, status=status, api="tf.get_variable",
                         via=None, shape=[2], dtype="float32", trainable=True,
                         collections=["variables"], initializer=None, resource=False,
                         name_scope="", variable_scope=name.rsplit("/", 1)[0], line=line)


def scope(name: str) -> VariableScopeEvent:
    return VariableScopeEvent(name=name, requested=name, asked=name, reuse=False,
                              reuse_asked=None, captured=False, default_name=None,
                              name_scope=name, user=True, line=1)


def towers(count: int) -> Trace:
    """model/w shared by `count` towers, each a name scope model/tower_i that reuses it."""
    events: list = [scope("model"), variable("model/w:0", line=3)]
    for i in range(count):
        events.append(NameScopeEvent(asked=f"tower_{i}", given=f"model/tower_{i}",
                                     requested=f"model/tower_{i}", line=4))
        if i:
            events.append(ReuseEvent(name="model/w:0", requested="model/w",
                                     name_scope=f"model/tower_{i}", variable_scope="model",
                                     reuse=True, via=None, line=3))
    return Trace(events=events, ops=["model/tower_0/MatMul", "model/tower_1/MatMul"])


def test_series_collapse_into_one_node_with_a_count() -> None:
    tree = build_tree(towers(8))
    view = build_view(tree, RenderOptions())
    (model,) = view.root.scopes
    assert model.scopes == []
    (series,) = model.groups
    assert series.id == "model/tower_*"
    assert series.label == "tower_[0..7] x8"
    assert len(series.members) == 8
    (edge,) = view.edges
    assert (edge.source, edge.target) == ("model/tower_*", "model/w:0")
    assert len(edge.lines) == 7


def test_without_collapse_every_member_is_a_cluster() -> None:
    view = build_view(build_tree(towers(8)), RenderOptions(collapse_series=False))
    (model,) = view.root.scopes
    assert [s.node.id for s in model.scopes] == [f"model/tower_{i}" for i in range(8)]
    assert len(view.edges) == 7


def test_numbered_siblings_of_two_shapes_make_two_series() -> None:
    """A Keras model's _operations: attention blocks (q) and norms (gamma) interleaved."""
    events = [variable(f"_operations/{i}/{'q' if i % 2 else 'gamma'}:0") for i in range(1, 13)]
    view = build_view(build_tree(Trace(events=events)), RenderOptions())
    (operations,) = view.root.scopes
    assert operations.scopes == []
    assert [(g.id, g.label, len(g.members)) for g in operations.groups] == [
        ("_operations/*", "[1..11] x6 (q)", 6), ("_operations/(2)*", "[2..12] x6 (gamma)", 6)]


def test_a_series_all_marked_alike_is_filled_with_the_mark() -> None:
    """In TF2 mode a series of saved blocks is green and counted in the legend's words;
    one that mixes marks keeps the neutral fill."""
    events = [variable(f"_operations/{i}/q:0") for i in range(1, 7)]
    marks = tuple(Mark(f"_operations/{i}/q:0", "saved", "", "") for i in range(1, 7))
    dot = to_dot(build_tree(Trace(events=events)), RenderOptions(marks=marks))
    assert "6 in checkpoint" in dot and 'fillcolor="#a6dba0"' in dot
    mixed = marks[:5] + (Mark("_operations/6/q:0", "untracked", "", ""),)
    dot = to_dot(build_tree(Trace(events=events)), RenderOptions(marks=mixed))
    (group,) = [line for line in dot.splitlines() if 'shape="box3d"' in line]
    assert "5 in checkpoint, 1 untracked" in group and 'fillcolor="#e0e0e0"' in group


def test_two_siblings_are_not_a_series() -> None:
    view = build_view(build_tree(towers(2)), RenderOptions())
    (model,) = view.root.scopes
    assert [s.node.id for s in model.scopes] == ["model/tower_0", "model/tower_1"]


def test_depth_limit_folds_deeper_scopes() -> None:
    events = [scope("a"), scope("a/b"), scope("a/b/c"), variable("a/b/c/w:0"),
              variable("a/b/v:0")]
    view = build_view(build_tree(Trace(events=events)), RenderOptions(max_depth=1))
    (a,) = view.root.scopes
    (folded,) = a.groups
    assert (folded.id, folded.kind, folded.counts) == ("a/b", "folded", (("created", 2),))
    dot = to_dot(build_tree(Trace(events=events)), RenderOptions(max_depth=1))
    assert '"a/b/c/w:0"' not in dot and "b (2 variables)" in dot


def test_one_series_member_opens_in_place() -> None:
    tree = build_tree(towers(8))
    assert openable(build_view(tree, RenderOptions())) == [f"model/tower_{i}" for i in range(8)]
    view = build_view(tree, RenderOptions(expand=frozenset({"model/tower_3"})))
    (model,) = view.root.scopes
    assert [s.node.id for s in model.scopes] == ["model/tower_3"]
    (series,) = model.groups
    assert len(series.members) == 7 and "model/tower_3" not in series.members
    targets = {(edge.source, edge.target) for edge in view.edges}
    assert targets == {("model/tower_*", "model/w:0"), ("model/tower_3", "model/w:0")}


def test_a_folded_scope_opens_in_place_one_level() -> None:
    events = [scope("a"), scope("a/b"), scope("a/b/c"), variable("a/b/c/w:0"),
              variable("a/b/v:0")]
    tree = build_tree(Trace(events=events))
    assert openable(build_view(tree, RenderOptions(max_depth=1))) == ["a/b"]
    view = build_view(tree, RenderOptions(max_depth=1, expand=frozenset({"a/b"})))
    (a,) = view.root.scopes
    (b,) = a.scopes
    assert b.variables == ["a/b/v:0"]
    (folded,) = b.groups
    assert (folded.id, folded.kind) == ("a/b/c", "folded")


def test_the_highlight_finds_names_inside_series_and_opens_them_level_by_level() -> None:
    """8 towers of 6 layers each, and 12 numbered variables: every one of them is inside a
    box standing for many, where a highlight of the drawn labels found 0."""
    events: list = [scope("model")]
    for t in range(8):
        events += [scope(f"model/tower_{t}")]
        events += [variable(f"model/tower_{t}/layer_{k}/kernel:0") for k in range(6)]
    events += [variable(f"v_{i}:0") for i in range(12)]
    tree = build_tree(Trace(events=events))
    view = build_view(tree, RenderOptions())
    assert matching_inside(view, "") == {}
    assert matching_inside(view, " LAYER_2/ ") == {
        "model/tower_*": tuple(f"model/tower_{t}/layer_2/kernel:0" for t in range(8))}
    assert matching_inside(view, "v_1") == {"v_*:0": ("v_1:0", "v_10:0", "v_11:0")}
    found = matching_inside(view, "tower_3/layer_2")["model/tower_*"]
    expand = opened_for(tree, RenderOptions(), found)
    assert expand == ["model/tower_3", "model/tower_3/layer_2"]  # the tower, then its layer
    opened = build_view(tree, RenderOptions(expand=frozenset(expand)))
    assert matching_inside(opened, "tower_3/layer_2") == {}
    (model,) = opened.root.scopes
    (tower,) = model.scopes
    assert [s.node.id for s in tower.scopes] == ["model/tower_3/layer_2"]
    assert opened_for(tree, RenderOptions(), ["v_11:0"]) == ["v_11:0"]
    assert build_view(tree, RenderOptions(expand=frozenset({"v_11:0"}))).root.variables == [
        "v_11:0"]
    assert "v_11:0" in openable(view)


def test_name_filter_keeps_matching_variables_and_their_scopes() -> None:
    events = [scope("enc"), variable("enc/w:0"), scope("dec"), variable("dec/w:0"),
              variable("dec/b:0")]
    view = build_view(build_tree(Trace(events=events)), RenderOptions(name_filter="DEC/W"))
    (dec,) = view.root.scopes
    assert dec.node.id == "dec" and dec.variables == ["dec/w:0"]


def test_long_variable_series_collapse_but_short_ones_stay() -> None:
    short = [variable("Variable:0")] + [variable(f"Variable_{i}:0", "Variable") for i in (1, 2)]
    view = build_view(build_tree(Trace(events=short)), RenderOptions())
    assert view.root.variables == ["Variable:0", "Variable_1:0", "Variable_2:0"]
    long = [variable(f"w_{i}:0") for i in range(12)]
    view = build_view(build_tree(Trace(events=long)), RenderOptions())
    (group,) = view.root.groups
    assert group.label == "w_[0..11] x12" and group.counts == (("created", 12),)


def test_ops_beyond_the_limit_are_counted_not_drawn() -> None:
    ops = [f"op_{i}" for i in range(MAX_OPS_DRAWN + 5)]
    dot = to_dot(build_tree(Trace(ops=ops), include_ops=True), RenderOptions(show_ops=True))
    assert f'"op_{MAX_OPS_DRAWN - 1}"' in dot and f'"op_{MAX_OPS_DRAWN}"' not in dot
    assert "5 more ops not drawn" in dot


def test_ops_are_drawn_only_when_asked() -> None:
    trace = towers(2)
    hidden = to_dot(build_tree(trace, include_ops=False), RenderOptions())
    shown = to_dot(build_tree(trace, include_ops=True), RenderOptions(show_ops=True))
    assert "model/tower_0/MatMul" not in hidden
    assert '"model/tower_0/MatMul" [label="MatMul"' in shown


def test_only_siblings_of_the_same_shape_make_a_series() -> None:
    # foo_1 has variables of its own: it is not a member of foo_1_1 ... foo_1_5.
    events: list = [scope("foo_1"), variable("foo_1/own:0"), variable("foo_1/own2:0")]
    for i in range(1, 6):
        events += [scope(f"foo_1_{i}"), variable(f"foo_1_{i}/w:0")]
    view = build_view(build_tree(Trace(events=events)), RenderOptions())
    assert [s.node.id for s in view.root.scopes] == ["foo_1"]
    assert view.root.scopes[0].variables == ["foo_1/own:0", "foo_1/own2:0"]
    (series,) = view.root.groups
    assert series.label == "foo_1_[1..5] x5"
    assert series.members == tuple(f"foo_1_{i}" for i in range(1, 6))


def test_four_alike_siblings_are_not_yet_a_series() -> None:
    # TensorBoard's threshold: five.
    events: list = []
    for i in range(4):
        events += [scope(f"layer_{i}"), variable(f"layer_{i}/w:0")]
    view = build_view(build_tree(Trace(events=events)), RenderOptions())
    assert [s.node.id for s in view.root.scopes] == [f"layer_{i}" for i in range(4)]
    assert view.root.groups == []


@pytest.mark.dot
@pytest.mark.parametrize("rankdir", ["LR", "TB"])
def test_drawing_reads_in_code_order(rankdir: str) -> None:
    # Top to bottom (LR) or left to right (TB): scopes in code order above the variables in
    # code order, at the top level and inside a scope alike.
    events = [variable("r1:0"), scope("A"), variable("A/a1:0"), variable("A/a2:0"),
              scope("A/A1"), variable("A/A1/x:0"), scope("B"), variable("B/b:0"),
              variable("r2:0")]
    dot = to_dot(build_tree(Trace(events=events)), RenderOptions(rankdir=rankdir, legend=True))
    svg = ElementTree.fromstring(run_dot(dot, "svg"))
    place = {}
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") == "node":
            text = next(group.iter(f"{SVG}text"))  # inside the tooltip's link
            place[group.find(f"{SVG}title").text] = (float(text.get("y")), float(text.get("x")))
    axis = 0 if rankdir == "LR" else 1
    order = sorted(["r1:0", "A/a1:0", "A/a2:0", "A/A1/x:0", "B/b:0", "r2:0"],
                   key=lambda name: place[name][axis])
    expected = ["A/A1/x:0", "A/a1:0", "A/a2:0", "B/b:0", "r1:0", "r2:0"]
    if rankdir == "LR":
        assert order == expected
    else:  # side by side: scopes still in code order, each before the next
        assert order.index("A/a1:0") < order.index("B/b:0")


def test_a_drawing_holds_what_graphviz_lays_out_and_counts_the_rest() -> None:
    """45,000 sibling scopes (legal TF) took 14 s to prepare and a minute of graphviz that
    failed; a scope's contents past the drawing's bounds are one "+N more" box."""
    from viz.core.view import MAX_DRAWN_BOXES, MAX_DRAWN_SCOPES

    wide = Trace(events=[scope(f"s{i}_x") for i in range(45_000)])
    view = build_view(build_tree(wide), RenderOptions())
    assert len(view.clusters) == MAX_DRAWN_SCOPES - 1  # the root is the first
    (more,) = view.root.groups
    assert (more.kind, more.label) == ("more", "+44,501 more scopes, not drawn")
    assert openable(view) == []
    many = Trace(events=[variable(f"v{i}_x:0") for i in range(45_000)])
    view = build_view(build_tree(many), RenderOptions())
    assert len(view.root.variables) == MAX_DRAWN_BOXES
    (more,) = view.root.groups
    assert more.label == "+43,000 more variables, not drawn"
    assert "+43,000 more variables" in run_dot(to_dot(build_tree(many), RenderOptions()),
                                               "svg").decode()


def test_the_name_filter_counts_what_it_keeps() -> None:
    from viz.core.view import filter_matches

    names = ["enc/w:0", "dec/w:0", "dec/b:0"]
    assert filter_matches(names, " DEC/ ") == 2
    assert filter_matches(names, "nothing") == 0
    assert filter_matches(names, "") == 3


def test_each_optimizer_slot_says_what_it_holds() -> None:
    """Slot names from a real TF 2.21 run of each tf.compat.v1 optimizer (checked by hand
    against each optimizer's _create_slots): the second and third are numbered by the
    default-name counter, so a slot's place among its optimizer's slots says its role."""
    assert slot_roles(["w/Adam:0", "w/Adam_1:0", "w/ExponentialMovingAverage:0"]) == {
        "w/Adam:0": "Adam's first moment, m", "w/Adam_1:0": "Adam's second moment, v",
        "w/ExponentialMovingAverage:0": "ExponentialMovingAverage's moving average"}
    assert slot_roles(["rms/RMSProp:0", "rms/RMSProp_1:0"]) == {
        "rms/RMSProp:0": "RMSProp's mean square, rms", "rms/RMSProp_1:0": "RMSProp's momentum"}
    assert slot_roles(["c/RMSProp:0", "c/RMSProp_1:0", "c/RMSProp_2:0"])["c/RMSProp_1:0"] == (
        "RMSProp's mean gradient, mg")  # centered=True
    assert slot_roles(["f/Ftrl:0", "f/Ftrl_1:0"])["f/Ftrl_1:0"] == "Ftrl's linear"
    assert slot_roles(["d/AdagradDA:0", "d/AdagradDA_1:0"])["d/AdagradDA_1:0"] == (
        "AdagradDA's squared gradient accumulator")
    assert slot_roles(["m/Momentum:0"]) == {"m/Momentum:0": "Momentum's momentum"}
    # two Adams on one variable: m, v, m, v; an optimizer named otherwise: no guess
    assert list(slot_roles([f"w/Adam{s}:0" for s in ("", "_1", "_2", "_3")]).values()) == [
        "Adam's first moment, m", "Adam's second moment, v"] * 2
    assert slot_roles(["w/opt:0", "w/opt_1:0"]) == {}
    assert slot_roles(["w/Adam:0", "w/Adam_1:0", "w/Adam_2:0"]) == {}
