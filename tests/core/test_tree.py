"""The scope tree (viz.core.tree) built from a trace."""

from __future__ import annotations

from support import load_trace

from viz.core.tree import build_tree


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
