"""check-checkpoint: a snippet's variables against checkpoints real TF wrote (a TF1 Saver, a
TF2 tf.train.Checkpoint), the near misses explained, and the assignment map proven on TF."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import ROOT

from viz import Executor
from viz.core.checkpoint import check, resolve_prefix
from viz.core.trace import CheckpointKey

REFACTORED = textwrap.dedent("""\
    import tensorflow as tf
    with tf.variable_scope("fc1"):
        w = tf.get_variable("weights", [3, 4])
    b = tf.get_variable("biases", [4])
    """)
CALLED_TWICE = textwrap.dedent("""\
    import tensorflow as tf

    def model(x):
        return tf.layers.dense(x, 4)

    a = model(tf.zeros([2, 3]))
    b = model(tf.zeros([2, 3]))
    train = tf.train.AdamOptimizer().minimize(tf.reduce_sum(a + b))
    """)
REENTERED = textwrap.dedent("""\
    import tensorflow as tf
    with tf.name_scope("fc1"):
        w = tf.Variable(tf.zeros([3, 4]), name="weights")
    with tf.name_scope("fc1"):
        w2 = tf.Variable(tf.zeros([3, 4]), name="weights")
    head = tf.Variable(tf.zeros([4, 2]), name="head")
    head2 = tf.Variable(tf.zeros([4, 2]), name="head")
    """)


def cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "viz", *args], input=stdin, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_a_refactor_that_moved_a_variable_into_a_scope(checkpoints: dict[str, str]) -> None:
    done = cli("check-checkpoint", "-", checkpoints["flat"], "--format", "json",
               stdin=REFACTORED)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert set(data) == {"schema", "restores", "missing", "unused", "mismatched",
                         "assignment_map", "notes", "trace"}
    assert data["restores"] == ["biases"]
    assert data["missing"] == [{
        "name": "fc1/weights", "shape": [3, 4], "line": 3,
        "closest": {"key": "weights", "shape": [3, 4]},
        "reason": "`fc1/weights` vs `weights`: the same name in another scope: this snippet "
                  "puts it under `fc1` (entered at line 2), the checkpoint at the top level"}]
    assert data["unused"] == [{"key": "weights", "shape": [3, 4], "dtype": "float32"}]
    assert data["mismatched"] == []
    assert data["assignment_map"] == {"biases": "biases", "weights": "fc1/weights"}
    trace = cli("trace", "-", "--format", "json", stdin=REFACTORED)
    expected = json.loads(trace.stdout)
    for key in ("variables", "events", "scopes", "ok", "error"):
        assert data["trace"][key] == expected[key]


def test_the_assignment_map_restores_on_real_tf(executor: Executor,
                                                checkpoints: dict[str, str]) -> None:
    """TF is the judge: the map, passed to init_from_checkpoint, loads the saved 7s."""
    trace = executor.run(REFACTORED, checkpoint=checkpoints["flat"])
    mapping = check(trace).assignment_map
    loader = REFACTORED + textwrap.dedent(f"""\
        tf.train.init_from_checkpoint({checkpoints["flat"]!r}, {mapping!r})
        with tf.Session() as session:
            session.run(tf.global_variables_initializer())
            print(session.run(w).sum())
        """)
    loaded = executor.run(loader)
    assert loaded.ok, loaded.error
    assert loaded.stdout == "84.0\n"  # 3 x 4 sevens


def test_a_model_function_called_twice_and_no_optimizer_in_the_checkpoint(
        checkpoints: dict[str, str]) -> None:
    done = cli("check-checkpoint", "-", checkpoints["dense_once"], "--format", "json",
               stdin=CALLED_TWICE)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["restores"] == ["dense/kernel", "dense/bias"]
    missing = {m["name"]: m for m in data["missing"]}
    assert list(missing) == [
        "dense_1/kernel", "dense_1/bias", "beta1_power", "beta2_power", "dense/kernel/Adam",
        "dense/kernel/Adam_1", "dense/bias/Adam", "dense/bias/Adam_1", "dense_1/kernel/Adam",
        "dense_1/kernel/Adam_1", "dense_1/bias/Adam", "dense_1/bias/Adam_1"]
    assert missing["dense_1/kernel"]["closest"] == {"key": "dense/kernel", "shape": [3, 4]}
    assert missing["dense_1/kernel"]["reason"] == (
        "`dense_1/kernel` vs `dense/kernel`: this snippet built the layer `dense` 2 times "
        "(each at line 4: the code there ran 2 times); the checkpoint has `dense`")
    assert missing["dense/kernel/Adam_1"]["closest"] is None
    assert missing["dense/kernel/Adam_1"]["reason"] == (
        "`Adam` slots not in the checkpoint: it was saved without the optimizer "
        "(AdamOptimizer.minimize at line 8 made them)")
    assert missing["beta1_power"]["reason"].startswith("`beta1_power` not in the checkpoint")
    # both keys are restored by the first build: nothing is left to map the second one to
    assert data["unused"] == []
    assert data["assignment_map"] == {"dense/kernel": "dense/kernel", "dense/bias": "dense/bias"}


def test_a_shape_change_is_a_mismatch_and_an_identical_model_restores(
        checkpoints: dict[str, str]) -> None:
    wider = REFACTORED.replace('"biases", [4]', '"biases", [5]')
    done = cli("check-checkpoint", "-", checkpoints["flat"], "--format", "json", stdin=wider)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["mismatched"] == [{"name": "biases", "shape": [5], "dtype": "float32",
                                   "key_shape": [4], "key_dtype": "float32"}]
    assert "biases" not in data["assignment_map"]
    same = 'w = tf.get_variable("weights", [3, 4])\nb = tf.get_variable("biases", [4])\n'
    done = cli("check-checkpoint", "-", checkpoints["flat"], stdin=same)
    assert done.returncode == 0, done.stdout
    assert "2 restore, 0 missing, 0 mismatched, 0 unused keys" in done.stdout


def test_a_tf2_checkpoint_matches_by_the_names_its_variables_were_saved_from(
        checkpoints: dict[str, str]) -> None:
    done = cli("check-checkpoint", "-", checkpoints["module"], "--format", "json",
               stdin=REENTERED)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["restores"] == ["fc1/weights", "head"]
    missing = {m["name"]: m for m in data["missing"]}
    assert missing["fc1_1/weights"]["reason"] == (
        "`_1` suffix: the scope `fc1` was entered a second time at line 4 (first at line 2) "
        "without reuse; the checkpoint has `fc1`")
    assert missing["head_1"]["reason"] == (
        "`_1` suffix: a variable named `head` already existed (line 6); line 7 made `head_1`")
    assert data["assignment_map"] == {"w/.ATTRIBUTES/VARIABLE_VALUE": "fc1/weights",
                                      "head/.ATTRIBUTES/VARIABLE_VALUE": "head"}
    assert data["unused"] == [{"key": "save_counter/.ATTRIBUTES/VARIABLE_VALUE", "shape": [],
                               "dtype": "int64"}]


def test_a_tf2_index_without_its_data_file_is_matched_by_guess(
        checkpoints: dict[str, str], tmp_path: Path) -> None:
    shutil.copy(checkpoints["module"] + ".index", tmp_path / "only.index")
    source = ("import tensorflow as tf\nwith tf.variable_scope('fc1'):\n"
              "    w = tf.get_variable('w', [3, 4])\n")
    done = cli("check-checkpoint", "-", str(tmp_path / "only"), "--format", "json",
               stdin=source)
    assert done.returncode == 1
    data = json.loads(done.stdout)
    (missing,) = data["missing"]
    assert missing["closest"] == {"key": "w/.ATTRIBUTES/VARIABLE_VALUE", "shape": [3, 4]}
    assert missing["reason"].startswith("guess: ")
    assert any("guess" in note for note in data["notes"])
    assert data["assignment_map"] == {"w/.ATTRIBUTES/VARIABLE_VALUE": "fc1/w"}


def test_usage_errors_exit_2_with_one_line(checkpoints: dict[str, str],
                                           tmp_path: Path) -> None:
    done = cli("check-checkpoint", "-", str(tmp_path / "nothing"), stdin=REFACTORED)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip().count("\n") == 0
    assert "no checkpoint at" in done.stderr
    (tmp_path / "junk.index").write_bytes(b"\x00not a checkpoint index" * 20)
    done = cli("check-checkpoint", "-", str(tmp_path / "junk"), stdin=REFACTORED)
    assert done.returncode == 2
    assert done.stderr.startswith("viz: error: cannot read the checkpoint")
    assert done.stderr.strip().count("\n") == 0


def test_text_report_names_every_finding(checkpoints: dict[str, str]) -> None:
    done = cli("check-checkpoint", "-", checkpoints["flat"], stdin=REFACTORED)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == (f"<stdin> against {checkpoints['flat']} (TF1 name-based, 2 keys): "
                        "1 restore, 1 missing, 0 mismatched, 1 unused keys")
    assert "MISSING: no key restores these" in lines
    row = next(line for line in lines if line.startswith("3 "))
    assert row.split() == ["3", "fc1/weights", "[3,", "4]", "weights", "[3,", "4]"]
    assert '  "weights": "fc1/weights"' in lines


def test_prefixes_are_found_from_a_file_or_a_folder(checkpoints: dict[str, str]) -> None:
    prefix = checkpoints["module"]
    assert resolve_prefix(prefix) == prefix
    assert resolve_prefix(prefix + ".index") == prefix
    assert resolve_prefix(prefix + ".data-00000-of-00001") == prefix
    assert resolve_prefix(str(Path(prefix).parent)) == prefix  # its `checkpoint` file
    with pytest.raises(ValueError, match="no checkpoint at"):
        resolve_prefix(prefix + "-missing")


def test_variables_a_saver_does_not_save_are_left_out() -> None:
    from viz.core.trace import Trace, VariableEvent

    def variable(name: str, collections: list[str]) -> VariableEvent:
        return VariableEvent(name + ":0", name, "created", "tf.get_variable", None, [1],
                             "float32", True, collections, None, True, "", "", 1)

    trace = Trace(events=[variable("w", ["variables"]), variable("step", ["local_variables"])],
                  checkpoint=[CheckpointKey("w", [1], "float32")])
    report = check(trace)
    assert report.ok and report.restores == ["w"]
    assert report.notes == ["1 variable(s) are in no global collection, so a default Saver "
                            "neither saves nor restores them: step"]


def test_one_line_says_which_scopes_were_renamed() -> None:
    """A refactor that renamed `encoder` to `enc` (3 variables, one nested deeper) and moved a
    top-level variable into `head`: one line over the table groups the renames by scope."""
    from viz.core.checkpoint import rename_summary, renamed_scopes
    from viz.core.trace import Trace, VariableEvent

    def variable(name: str) -> VariableEvent:
        return VariableEvent(name + ":0", name, "created", "tf.get_variable", None, [1],
                             "float32", True, ["variables"], None, True, "", "", 1)

    names = ["enc/w", "enc/b", "enc/layer/w", "head/out", "kept"]
    keys = ["encoder/w", "encoder/b", "encoder/layer/w", "out", "kept", "gone/x"]
    trace = Trace(events=[variable(name) for name in names],
                  checkpoint=[CheckpointKey(key, [1], "float32") for key in keys])
    report = check(trace)
    assert report.restores == ["kept"]
    assert renamed_scopes(report) == [("encoder", "enc", 3), ("", "head", 1)]
    assert rename_summary(report) == (
        "scope `encoder` became `enc`: 3 variables; top-level variables moved into `head`: "
        "1 variable. The assignment_map below loads them.")
    same = Trace(events=[variable("kept")], checkpoint=[CheckpointKey("kept", [1], "float32")])
    assert rename_summary(check(same)) == ""
