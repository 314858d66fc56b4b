"""``%%scopeviz``: a notebook cell run in ScopeViz's worker and shown inline.

    %load_ext viz
    %%scopeviz [--mode tf1|tf2] [--timeout S] [--cells] [--checkpoint PATH]
    %scopeviz reset

The cell never runs in the kernel. With ``--cells`` it runs after every earlier ``--cells``
cell, in order, in one graph, as a notebook's cells share one default graph; a cell run again
replaces its earlier version in that sequence (cells are told apart by the front end's cell
id, else by their text). ``%scopeviz reset`` starts the sequence over.
"""

from __future__ import annotations

import argparse
import html
import shlex
import sys
import time
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import DisplayHandle, display

from viz.core.cells import Cell, joined, printed, up_to, with_cell
from viz.core.checkpoint import resolve_prefix
from viz.core.names import TF1, TF2
from viz.notebook import results, worker

USAGE = ("%%scopeviz [--mode tf1|tf2] [--timeout S] [--cells] [--checkpoint PATH], or "
         "%scopeviz reset")
NOTE = "color:#1f1f1f;background:#fff8e1;border-radius:4px;padding:4px 10px"


class UsageError(ValueError):
    """The magic's line could not be read; the message says how it is written."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        raise UsageError(f"{message}; usage: {USAGE}")


def parser() -> argparse.ArgumentParser:
    options = _Parser(prog="%%scopeviz", add_help=False)
    options.add_argument("--mode", choices=(TF1, TF2), default=TF1)
    options.add_argument("--timeout", type=float, default=results.TIMEOUT_S)
    options.add_argument("--cells", action="store_true")
    options.add_argument("--checkpoint")
    return options


@magics_class
class ScopeVizMagics(Magics):
    """The magic and the kernel's sequence of ``--cells`` cells."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self.sequence: tuple[Cell, ...] = ()
        self.cell_id: str | None = None
        shell.events.register("pre_run_cell", self._pre_run_cell)

    def _pre_run_cell(self, info: Any) -> None:
        self.cell_id = getattr(info, "cell_id", None)

    @line_cell_magic
    def scopeviz(self, line: str, cell: str | None = None) -> Any:
        """``%%scopeviz``: run the cell in ScopeViz's worker; ``%scopeviz reset``."""
        if cell is None:
            if line.strip() != "reset":
                say(f"Usage: {USAGE}")
                return None
            self.sequence = ()
            say("The --cells sequence starts over.")
            return None
        try:
            args = parser().parse_args(shlex.split(line))
            prefix = resolve_prefix(args.checkpoint) if args.checkpoint else None
        except (UsageError, ValueError) as exc:
            say(str(exc))
            return None
        return self._run(cell, args, prefix)

    def _run(self, cell: str, args: argparse.Namespace, prefix: str | None) -> Any:
        # Line 1 of the cell is the magic's own: the code's lines count from 2, as the
        # notebook shows them.
        code = "\n" + cell
        sources, index = [code], 0
        if args.cells:
            key = self.cell_id or cell
            self.sequence = with_cell(self.sequence, Cell(key, code))
            sources = [c.source for c in up_to(self.sequence, key)]
            index = len(sources) - 1
        source, starts = joined(sources)
        waiting = None
        if not worker.warm(args.mode):
            waiting = say("Starting TensorFlow in ScopeViz's worker (the first run of this "
                          "kernel; a few seconds)...")
        began = time.monotonic()
        trace = results.run_source(source, args.mode, args.timeout, checkpoint=prefix,
                                   filename="cell.py", cells=starts if args.cells else None)
        if waiting is not None:
            say(f"TensorFlow started in ScopeViz's worker ({time.monotonic() - began:.1f} s, "
                "with this run).", waiting)
        # What the cell printed goes where a cell's printing goes (its stream outputs, the
        # notebook's usual place), not into the report a second time.
        stdout, stderr = printed(trace, index)
        sys.stdout.write(stdout)
        sys.stderr.write(stderr)
        cell_starts = starts if args.cells else []
        if prefix is not None:
            return results.checked(trace, ("", ""), cell_starts)
        return results.result(trace, ("", ""), cell_starts)


def say(text: str, replacing: DisplayHandle | None = None) -> DisplayHandle | None:
    """A one-line note under the cell (HTML, or text in a terminal); ``replacing`` updates
    an earlier note in place."""
    bundle = {"text/plain": text, "text/html": f'<div style="{NOTE}">{html.escape(text)}</div>'}
    if replacing is not None:
        replacing.update(bundle, raw=True)
        return replacing
    return display(bundle, raw=True, display_id=True)


def load(shell: Any) -> None:
    """``%load_ext viz``: registers the magic (once per kernel)."""
    shell.register_magics(ScopeVizMagics(shell))
