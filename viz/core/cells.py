"""Notebook cells run as one program, the way a kernel's cells share one default graph
(``%%scopeviz --cells``): the sequence kept between cells, the one source a run executes,
and where each cell's lines and printed output are in that run.

A run of cells is one source whose cells start at known lines; the worker executes them one
after another in one module, each compiled at its own place in the source (so line numbers,
errors and the tracer's events all count in the joined source), and marks in its output where
each cell's printing starts (``Trace.cells``).
"""

from __future__ import annotations

from dataclasses import dataclass

from viz.core.trace import Trace


@dataclass(frozen=True)
class Cell:
    """One notebook cell of a sequence: ``key`` says which cell it is (the front end's cell
    id, or its text where the front end sends none)."""

    key: str
    source: str


def with_cell(cells: tuple[Cell, ...], cell: Cell) -> tuple[Cell, ...]:
    """The sequence after running ``cell``: a cell run again replaces its earlier version in
    place (it is not appended twice); a new one comes last."""
    if any(c.key == cell.key for c in cells):
        return tuple(cell if c.key == cell.key else c for c in cells)
    return (*cells, cell)


def up_to(cells: tuple[Cell, ...], key: str) -> tuple[Cell, ...]:
    """The cells a run of cell ``key`` executes: the earlier ones and itself."""
    index = next(i for i, c in enumerate(cells) if c.key == key)
    return cells[:index + 1]


def joined(sources: list[str]) -> tuple[str, list[int]]:
    """The cells as one source, and the line each cell starts at (1-based)."""
    texts = [s if s.endswith("\n") else s + "\n" for s in sources]
    starts, line = [], 1
    for text in texts:
        starts.append(line)
        line += text.count("\n")
    return "".join(texts), starts


def placed(source: str, starts: list[int]) -> list[str]:
    """Each cell's text preceded by blank lines up to its start: compiled alone, its line
    numbers are those of the joined source."""
    lines = source.splitlines(keepends=True)
    ends = [*starts[1:], len(lines) + 1]
    return ["\n" * (start - 1) + "".join(lines[start - 1:end - 1])
            for start, end in zip(starts, ends)]


def locate(line: int, starts: list[int]) -> tuple[int, int]:
    """A line of the joined source as (cell index from 0, line within that cell)."""
    index = max(i for i, start in enumerate(starts) if start <= line)
    return index, line - starts[index] + 1


def printed(trace: Trace, index: int) -> tuple[str, str]:
    """What cell ``index`` printed to stdout and stderr (the raw writes of the run's process
    at the end of the last cell's)."""
    if not trace.cells:
        return trace.stdout, trace.stderr
    if index >= len(trace.cells):  # the run stopped before the cell began
        return "", ""
    start = trace.cells[index]
    end = trace.cells[index + 1] if index + 1 < len(trace.cells) else (
        len(trace.stdout), len(trace.stderr))
    return trace.stdout[start[0]:end[0]], trace.stderr[start[1]:end[1]]
