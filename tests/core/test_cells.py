"""Notebook cells as one program: the sequence, the joined source, lines and output per cell."""

from __future__ import annotations

from viz.core.cells import Cell, joined, locate, placed, printed, up_to, with_cell
from viz.core.trace import Trace


def test_a_cell_run_again_replaces_its_earlier_version_in_place() -> None:
    cells = with_cell(with_cell((), Cell("a", "x = 1")), Cell("b", "y = 2"))
    again = with_cell(cells, Cell("a", "x = 3"))
    assert again == (Cell("a", "x = 3"), Cell("b", "y = 2"))
    assert with_cell(again, Cell("c", "z")) == (*again, Cell("c", "z"))
    assert up_to(again, "a") == (Cell("a", "x = 3"),)  # a cell runs after the earlier ones only


def test_joined_cells_keep_their_lines() -> None:
    source, starts = joined(["a = 1\nb = 2", "c = 3\n", "\nd = 4\n"])
    assert source == "a = 1\nb = 2\nc = 3\n\nd = 4\n"
    assert starts == [1, 3, 4]
    cells = placed(source, starts)
    assert cells == ["a = 1\nb = 2\n", "\n\nc = 3\n", "\n\n\n\nd = 4\n"]
    assert [locate(line, starts) for line in (1, 2, 3, 5)] == [(0, 1), (0, 2), (1, 1), (2, 2)]


def test_each_cell_gets_what_it_printed() -> None:
    trace = Trace(stdout="one\ntwo\n", stderr="warn\n", cells=[(0, 0), (4, 0)])
    assert printed(trace, 0) == ("one\n", "")
    assert printed(trace, 1) == ("two\n", "warn\n")
    assert printed(trace, 2) == ("", "")  # the run ended before this cell began
    assert printed(Trace(stdout="all\n"), 0) == ("all\n", "")  # not a run of cells
