"""A clicked box's details and a line's boxes (viz.core.details)."""

from __future__ import annotations

from support import load_trace


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


def test_a_line_points_at_what_it_made_and_got_back() -> None:
    from viz.core.details import boxes_by_line

    lines = boxes_by_line(load_trace("seed_3_get_variable_sharing"))
    # line 15 created conv1's weights and, called again, conv2's; line 1 made nothing
    assert lines[15] == ["image_filters/conv1/weights:0", "image_filters/conv2/weights:0"]
    assert 1 not in lines
    assert all(lines.values())
