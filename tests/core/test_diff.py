"""diff: two snippets' variables mapped, renames explained, and the map proven on real TF by
loading A's checkpoint into B's graph."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from snippets import TF2_NET
from support import ROOT

from viz import Executor
from viz.core.diff import compared, diff

A = textwrap.dedent("""\
    import tensorflow as tf
    w = tf.Variable(tf.fill([3, 4], 1.0), name="weights")
    w2 = tf.Variable(tf.fill([4, 5], 2.0), name="weights")
    b = tf.Variable(tf.zeros([5]), name="bias")
    old = tf.Variable(1.0, name="old")
    """)
B = textwrap.dedent("""\
    import tensorflow as tf
    with tf.variable_scope("fc1"):
        w = tf.get_variable("weights", [3, 4])
    with tf.variable_scope("fc2"):
        w2 = tf.get_variable("weights", [4, 5])
    b = tf.Variable(tf.zeros([6]), name="bias")
    new = tf.Variable(1, name="new")
    """)


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "viz", *args], input=stdin, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_renames_are_matched_by_order_name_and_shape(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(A, encoding="utf-8")
    (tmp_path / "b.py").write_text(B, encoding="utf-8")
    done = cli("diff", str(tmp_path / "a.py"), str(tmp_path / "b.py"), "--format", "json")
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"schema", "same", "renamed", "only_a", "only_b", "changed",
                         "assignment_map", "a_error", "b_error"}
    assert data["same"] == []
    assert [(r["a"], r["b"], r["shape"]) for r in data["renamed"]] == [
        ("weights", "fc1/weights", [3, 4]), ("weights_1", "fc2/weights", [4, 5])]
    assert data["renamed"][1]["reason"] == (
        "`weights_1` is `fc2/weights` (A line 3, B line 5): same shape [4, 5], both named "
        "`weights`, the same place in creation order; in A, TF numbered it: it asked for "
        "`weights`, which was taken; A asks for it at the top level, B under `fc2`")
    assert data["changed"] == [{"name": "bias", "a_shape": [5], "b_shape": [6],
                                "a_dtype": "float32", "b_dtype": "float32"}]
    assert (data["only_a"], data["only_b"]) == (["old"], ["new"])
    assert data["assignment_map"] == {"weights": "fc1/weights", "weights_1": "fc2/weights"}


def test_identical_names_exit_0_and_usage_errors_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(A, encoding="utf-8")
    done = cli("diff", "-", str(tmp_path / "a.py"), stdin=A)
    assert done.returncode == 0, done.stdout
    assert "4 same, 0 renamed, 0 changed, 0 only in A, 0 only in B" in done.stdout
    done = cli("diff", str(tmp_path / "a.py"), str(tmp_path / "missing.py"))
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith("viz: error: cannot read") and done.stderr.count("\n") == 1
    done = cli("diff", "-", "-", stdin=A)
    assert done.returncode == 2


def test_the_assignment_map_loads_a_checkpoint_of_a_into_b(executor: Executor,
                                                           tmp_path: Path) -> None:
    """TF is the judge: A saves, B loads through the map, and B's weights hold A's values."""
    prefix = str(tmp_path / "a.ckpt")
    saved = executor.run(A + textwrap.dedent(f"""\
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            tf.train.Saver().save(session, {prefix!r})
        """))
    assert saved.ok, saved.error
    mapping = diff(executor.run(A), executor.run(B)).assignment_map
    loaded = executor.run(B + textwrap.dedent(f"""\
        tf.train.init_from_checkpoint({prefix!r}, {mapping!r})
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            print(session.run(w).sum(), session.run(w2).sum())
        """))
    assert loaded.ok, loaded.error
    assert loaded.stdout == "12.0 40.0\n"  # 12 ones and 20 twos, from A's checkpoint


def test_a_snippet_that_raises_is_reported_and_exits_1(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(A, encoding="utf-8")
    broken = A + "tf.get_variable('x', [1])\ntf.get_variable('x', [1])\n"
    done = cli("diff", str(tmp_path / "a.py"), "-", "--format", "json", stdin=broken)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["a_error"] is None
    assert data["b_error"].startswith("ValueError at line 7")
    assert data["only_b"] == ["x"]




def test_two_tf2_roots_are_compared_by_attribute_path(executor: Executor) -> None:
    """B renames the attribute encoder -> enc and the head variable's name w -> head: only
    the attribute counts for a TF2 checkpoint. Without ckpt_root, names count."""
    changed = TF2_NET.replace("self.encoder", "self.enc").replace('name="w"', 'name="head"')
    a, b = (executor.run(source, mode="tf2") for source in (TF2_NET, changed))
    report = diff(*compared(a, b))
    assert report.same == ["head"]
    assert [(r.a, r.b) for r in report.renamed] == [("encoder", "enc")]
    unrooted = [executor.run(source.replace("ckpt_root = ", "net = "), mode="tf2")
                for source in (TF2_NET, changed)]
    by_name = diff(*compared(*unrooted))
    assert by_name.same == ["encoder"] and [(r.a, r.b) for r in by_name.renamed] == [
        ("w", "head")]


def test_a_tf1_model_and_its_tf2_migration_are_compared_by_name(tmp_path: Path) -> None:
    """The CLI's --mode tf1 --mode-b tf2: the TF1 names track_tf1_style_variables keeps."""
    tf1 = tmp_path / "tf1.py"
    tf1.write_text(textwrap.dedent("""\
        import tensorflow as tf
        with tf.variable_scope("dense_block"):
            w = tf.get_variable("kernel", [3, 4])
            b = tf.get_variable("bias", [4])
        """), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "viz", "diff", "--mode", "tf1", "--mode-b",
                           "tf2", str(tf1), str(ROOT / "examples" / "tf2" / "tf1_to_tf2_map.py"),
                           "--format", "json"], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["same"] == ["dense_block/kernel", "dense_block/bias"]
    assert data["only_a"] == data["only_b"] == [] and data["renamed"] == []
