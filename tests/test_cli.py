"""The command line contract: formats, JSON keys, exit statuses, stdin."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from snippets import DEEP
from support import EXAMPLES, ROOT

SEED_1 = EXAMPLES / "seed_1_name_scope_vs_variable_scope.py"


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "viz", *args], input=stdin, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_json_has_the_documented_keys() -> None:
    done = cli("trace", str(SEED_1), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    for key in ("schema", "ok", "error", "variables", "reuses", "events", "scopes", "stdout",
                "elapsed_ms"):
        assert key in data
    assert data["schema"] == 1 and data["ok"] is True and data["error"] is None
    v4 = data["variables"][3]
    assert {k: v4[k] for k in ("name", "requested", "status", "api", "shape", "dtype",
                               "trainable", "line")} == {
        "name": "nsc1_1/v4:0", "requested": "nsc1/v4", "status": "uniquified",
        "api": "tf.Variable", "shape": [1], "dtype": "int32", "trainable": True, "line": 23}
    assert data["scopes"]["nsc1_1"]["kinds"] == ["name_scope"]


def test_snippet_error_exits_1_and_still_prints_json() -> None:
    done = cli("trace", "-", "--format", "json",
               stdin="tf.get_variable('a', [1])\ntf.get_variable('a', [1])\n")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["ok"] is False
    assert data["error"]["type"] == "ValueError" and data["error"]["line"] == 2
    assert [v["name"] for v in data["variables"]] == ["a:0"]


@pytest.mark.parametrize("args, message", [
    (("trace", "no/such/file.py"), "cannot read no/such/file.py"),
    (("trace", str(SEED_1), "--format", "gif"), "invalid choice: 'gif'"),
])
def test_usage_errors_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    done = cli(*args)
    assert done.returncode == 2
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""


def test_default_text_table_and_csv() -> None:
    text = cli("trace", str(SEED_1))
    assert text.returncode == 0
    assert "uniquified  nsc1_1/v4:0" in text.stdout
    csv_out = cli("trace", str(SEED_1), "--format", "csv")
    lines = csv_out.stdout.splitlines()
    assert lines[0] == "name,requested,status,api,shape,dtype,trainable,line,graph"
    assert lines[4] == "nsc1_1/v4:0,nsc1/v4,uniquified,tf.Variable,[1],int32,True,23,0"


@pytest.mark.dot
def test_svg_and_png_to_a_file(tmp_path) -> None:
    svg = tmp_path / "seed.svg"
    done = cli("trace", str(EXAMPLES / "seed_3_get_variable_sharing.py"), "--format", "svg",
               "-o", str(svg))
    assert done.returncode == 0, done.stderr
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "image_filters/conv1/weights:0" in text
    png = tmp_path / "seed.png"
    cli("trace", str(SEED_1), "--format", "png", "-o", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


MANY_REUSES = """\
for i in range(1500):
    with tf.variable_scope("model", reuse=tf.AUTO_REUSE):
        with tf.name_scope("tower_%d" % i):
            w = tf.get_variable("w", [1])
"""




@pytest.mark.parametrize("fmt", ["svg", "json", "text"])
def test_a_thousand_nested_name_scopes_draw(fmt: str) -> None:
    """Legal TF that raised RecursionError in the tree (a traceback from the CLI, a crashed
    page in the app); the drawing folds what is nested deeper than it can lay out."""
    done = cli("trace", "-", "--format", fmt, stdin=DEEP)
    assert done.returncode == 0, done.stderr[-2000:]
    if fmt == "svg":
        assert "a (1 variables)" in done.stdout  # the fold at the drawn depth
    else:
        assert "a/" * 1000 + "v:0" in done.stdout


def test_a_model_with_thousands_of_reuses_draws() -> None:
    # One reuse edge between collapsed series stands for 1,499 calls: its tooltip once passed
    # graphviz's 16,384-character limit on a quoted string, and the CLI died with a traceback.
    done = cli("trace", "-", "--format", "svg", stdin=MANY_REUSES)
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("</svg>")
    assert "and 1491 more" in done.stdout  # the tooltip names 8 of 1,499 scopes, counts the rest


def test_a_drawing_failure_is_one_clear_line(broken_graphviz: list[str],
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """graphviz failing, not TF: the run is real."""
    from viz import cli as cli_module

    status = cli_module.main(["trace", str(SEED_1), "--format", "svg"])
    err = capsys.readouterr().err
    assert status == 2
    assert err == ("viz: error: the graph could not be drawn (graphviz failed: Error: out of "
                   "memory); --filter or --max-depth draw a part of it, and --format text, json "
                   "and csv need no drawing\n")
