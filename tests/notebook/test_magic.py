"""``%%scopeviz`` in a real IPython shell, and ``viz.show``/``check``/``diff``: every run in
the real worker (real TF), nothing of it in the kernel."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any, Iterator

import pytest
from support import EXAMPLES, GOLDENS, ROOT

import viz


def seed_cells() -> list[str]:
    text = (EXAMPLES / "seed_notebook.py").read_text(encoding="utf-8")
    return [cell.strip("\n") + "\n" for cell in re.split(r"^# In \[\d+\]:\n", text,
                                                          flags=re.MULTILINE)[1:]]


def printed_text(out: str) -> str:
    """What a cell printed, from the terminal shell's stdout: without the notes on TF's start
    and the shown result after it (its verdict first: ``N variables``...)."""
    out = re.split(r"^(?:Out\[\d+\]: )?\d+ variables?[:,] ", out, flags=re.MULTILINE)[0]
    return "".join(line for line in out.splitlines(keepends=True)
                   if not line.startswith(("Starting TensorFlow in", "TensorFlow started in")))


@pytest.fixture(scope="module")
def shell() -> Iterator[Any]:
    from IPython.testing.globalipapp import start_ipython

    ip = start_ipython()
    ip.run_line_magic("load_ext", "viz")
    yield ip


def cell(shell: Any, line: str, body: str, cell_id: str | None = None) -> Any:
    """Runs ``%%scopeviz line`` over ``body`` as a notebook cell; returns the cell's value."""
    outcome = shell.run_cell(f"%%scopeviz {line}\n{body}", cell_id=cell_id)
    assert outcome.error_in_exec is None and outcome.error_before_exec is None
    return outcome.result


def test_a_cell_shows_its_verdict_graph_table_and_output(shell: Any, capsys: Any) -> None:
    shown = cell(shell, "", "with tf.name_scope('a'):\n    v = tf.Variable(1, name='v')\n"
                            "w = tf.Variable(1, name='a/v')\nprint('<b>names</b>', w.name)\n")
    assert shown.verdict == "2 variables: 1 created, 1 uniquified (a/v_1:0), 0 reuses"
    page = shown._repr_html_()
    assert "<title>a/v_1:0</title>" in page  # the graph, inline
    # what the cell printed is the cell's own printing, as text (not markup)
    assert printed_text(capsys.readouterr().out) == "<b>names</b> a/v_1:0\n"
    assert "<b>names" not in page
    assert "background:#ffffff;color:#1f1f1f" in page  # dark text on its own light card
    assert list(shown.variables["name"]) == ["a/v:0", "a/v_1:0"]
    assert repr(shown).startswith("2 variables: 1 created, 1 uniquified")
    # the cell is line 1 (the magic's), so its code's lines count from 2, as shown
    assert list(shown.variables["line"]) == [3, 4]


def test_a_cell_run_twice_does_not_collide_with_itself(shell: Any) -> None:
    body = "x = tf.get_variable('x', [1])\n"
    first, again = cell(shell, "", body), cell(shell, "", body)
    assert first.trace.ok and again.trace.ok
    assert [v.name for v in again.trace.variables] == ["x:0"]


def test_an_error_cell_says_its_line_in_the_cell_and_keeps_the_partial_graph(
        shell: Any, capsys: Any) -> None:
    shown = cell(shell, "", "a = tf.get_variable('a', [1])\nprint('made a')\n"
                            "b = tf.get_variable('a', [1])\n")
    page = shown._repr_html_()
    assert re.search(r"ValueError at line 4: Variable a already exists", page)
    assert "<title>a:0</title>" in page and printed_text(capsys.readouterr().out) == "made a\n"


def test_timeout_and_mode_options(shell: Any, capsys: Any) -> None:
    stopped = cell(shell, "--timeout 1", "while True:\n    pass\n")
    assert stopped.trace.error.type == "Timeout" and stopped.trace.error.line in (2, 3)
    capsys.readouterr()
    keras = cell(shell, "--mode tf2", "import keras\nkeras.layers.Dense(2)\n"
                                      "layer = keras.layers.Dense(2)\nprint(layer.name)\n")
    assert keras.trace.mode == "tf2" and printed_text(capsys.readouterr().out) == "dense_1\n"
    assert keras.verdict.startswith("0 variables, 2 Keras layers, 1 numbered by Keras")


def test_usage_errors_say_how_the_magic_is_written(shell: Any, capsys: Any) -> None:
    for line in ("--mode tf3", "--timeout soon"):
        assert shell.run_cell(f"%%scopeviz {line}\nx = 1\n").result is None
    shell.run_line_magic("scopeviz", "nonsense")
    shown = capsys.readouterr().out
    assert shown.count("Usage: %%scopeviz [--mode tf1|tf2]") == 1
    assert shown.count("usage: %%scopeviz [--mode tf1|tf2]") == 2


def test_cells_share_one_graph_as_the_seed_notebook_did(shell: Any, capsys: Any) -> None:
    def printing(body: str, cell_id: str | None = None) -> tuple[Any, str]:
        capsys.readouterr()
        shown = cell(shell, "--cells", body, cell_id)
        return shown, printed_text(capsys.readouterr().out)

    shell.run_line_magic("scopeviz", "reset")
    cells = seed_cells()
    shown, outputs = zip(*(printing(body, f"seed-{i}") for i, body in enumerate(cells)))
    assert shown[-1].verdict == ("16 variables: 11 created, 5 uniquified (nsc1_1/v4:0, "
                                 "conv1_weights_1:0, ...), 4 reuses")
    # each cell prints its own output, and the three together are the seed's
    assert "".join(outputs) == (GOLDENS / "seed_notebook.stdout").read_text(encoding="utf-8")
    assert outputs[1].startswith("There are 12 train_able_variables")
    # cell 2 run again replaces itself: still 12 (not 20) when it runs after cell 1
    again, output = printing(cells[1], "seed-1")
    assert output.startswith("There are 12 train_able_variables")
    assert "cell 2, line" in again._repr_html_()
    # without cell ids, a cell is told apart by its text
    shell.run_line_magic("scopeviz", "reset")
    for _ in range(2):
        alone, output = printing(cells[1])
    assert output.startswith("There are 8 train_able_variables")


def test_checkpoint_option_checks_the_cell(shell: Any, checkpoints: dict[str, str]) -> None:
    checked = cell(shell, f"--checkpoint {checkpoints['flat']}",
                   'with tf.variable_scope("fc1"):\n    w = tf.get_variable("weights", [3, 4])\n'
                   'b = tf.get_variable("biases", [4])\n')
    assert checked.summary() == "1 restore, 1 missing, 0 mismatched, 1 unused keys"
    page = checked._repr_html_()
    assert "top-level variables moved into `fc1`: 1 variable" in page
    assert "#f4a582" in page  # the missing box's colour in the graph
    missing = cell(shell, "--checkpoint /nonexistent/model.ckpt", "x = 1\n")
    assert missing is None  # said, with the usage, nothing run


def test_the_python_api_show_check_diff(checkpoints: dict[str, str]) -> None:
    shown = viz.show("v = tf.Variable(1, name='v')\n")
    assert shown.to_dict()["verdict"] == "1 variable: 1 created, 0 uniquified, 0 reuses"
    assert shown.svg and "<title>v:0</title>" in shown.svg
    checked = viz.check('w = tf.get_variable("weights", [3, 4])\n', checkpoints["flat"])
    assert checked.to_dict()["restores"] == ["weights"]
    compared = viz.diff((EXAMPLES / "refactor_before.py").read_text(encoding="utf-8"),
                        (EXAMPLES / "refactor_after.py").read_text(encoding="utf-8"))
    assert compared.to_dict()["renamed"] and "renamed" in compared._repr_html_()
    assert list(compared.variables.columns)[:3] == ["mapping", "A", "B"]
    assert "<title>fc1/weights:0</title>" in compared.svg["b"]


def test_the_kernel_never_imports_tensorflow() -> None:
    check = ("from IPython.testing.globalipapp import start_ipython\nimport sys\n"
             "ip = start_ipython()\nip.run_line_magic('load_ext', 'viz')\n"
             "r = ip.run_cell('%%scopeviz\\nv = tf.Variable(1, name=\"v\")\\n').result\n"
             "print(r.verdict, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == ("1 variable: 1 created, 0 uniquified, 0 reuses "
                                            "False False")


def test_a_click_in_the_explorer_widget_gets_the_boxs_card(shell: Any) -> None:
    from viz.notebook.widget import GraphWidget

    shown = cell(shell, "", "with tf.variable_scope('s'):\n    w = tf.get_variable('w', [2])\n")
    widget = GraphWidget(shown.svg, shown.drawn, shown.marks)
    assert "function drawGraph(" in widget._esm and widget._esm.endswith(
        "export default { render };\n")  # the app's explorer, shipped, not fetched
    widget._answer(widget, {"clicked": "s/w:0"}, [])
    assert widget.data["focus"] == ["s/w:0"] and widget.data["details"]["title"] == "s/w"
    assert ["status", "created"] in widget.data["details"]["rows"]
    widget._answer(widget, {"closed": True}, [])
    assert widget.data["details"] is None and widget.data["svg"] == shown.svg
