"""Notebook cells run as one program in the real worker: one graph, each cell's output and
lines its own (``%%scopeviz --cells``)."""

from __future__ import annotations

import re

from support import EXAMPLES, GOLDENS

from viz import Executor
from viz.core.cells import joined, locate, printed


def seed_cells() -> list[str]:
    """The seed notebook's three cells, as examples/seed_notebook.py marks them."""
    text = (EXAMPLES / "seed_notebook.py").read_text(encoding="utf-8")
    return [cell.strip("\n") + "\n" for cell in re.split(r"^# In \[\d+\]:\n", text,
                                                          flags=re.MULTILINE)[1:]]


def test_the_seed_notebooks_cells_share_one_graph_and_print_their_own_output(
        executor: Executor) -> None:
    cells = seed_cells()
    source, starts = joined(cells)
    trace = executor.run(source, cells=starts)
    assert trace.ok and len(trace.cells) == 3
    assert len([v for v in trace.variables if v.status != "reused"]) == 16
    outputs = [printed(trace, index)[0] for index in range(3)]
    assert "".join(outputs) == (GOLDENS / "seed_notebook.stdout").read_text(encoding="utf-8")
    assert outputs[0].startswith("v1.name:  nsc1/v1:0\n")
    assert outputs[1].startswith("There are 12 train_able_variables in the Graph: \n")
    assert outputs[2].startswith("There are 16 train_able_variables in the Graph: \n")
    # each cell's events keep lines of its own place
    line = next(v.line for v in trace.variables if v.name == "conv1_weights:0")
    assert locate(line, starts) == (1, cells[1].splitlines().index(
        "    conv1_weights = tf.Variable(tf.random_normal([5, 5, 32, 32]),") + 1)


def test_a_failing_cell_ends_the_run_at_its_own_line(executor: Executor) -> None:
    cells = ["v = tf.get_variable('v', [1])\nprint('first')\n",
             "print('second')\n\nw = tf.get_variable('v', [1])\n",
             "print('never')\n"]
    source, starts = joined(cells)
    trace = executor.run(source, cells=starts)
    assert trace.error is not None and trace.error.type == "ValueError"
    assert locate(trace.error.line, starts) == (1, 3)
    assert [printed(trace, i)[0] for i in range(3)] == ["first\n", "second\n", ""]
    assert len(trace.cells) == 2


def test_a_syntax_error_in_a_later_cell_leaves_the_earlier_ones_run(executor: Executor) -> None:
    source, starts = joined(["a = tf.Variable(1, name='a')\n", "b = (\n"])
    trace = executor.run(source, cells=starts)
    assert trace.error is not None and trace.error.type == "SyntaxError"
    assert locate(trace.error.line, starts)[0] == 1
    assert [v.name for v in trace.variables] == ["a:0"]
