"""What the code editor shows (viz.core.editor): marks and its place on the page."""

from __future__ import annotations


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
