"""Hosted mode and checkpoints: each run checks a private copy of the uploaded checkpoint,
which goes with it and which no other run can reach; a TF2 run's own checkpoint is written
in its own space only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from viz import Executor
from viz.backend.sandbox import MIN_LANDLOCK_ABI, landlock_abi

pytestmark = pytest.mark.skipif(landlock_abi() < MIN_LANDLOCK_ABI,
                                reason="this kernel has no Landlock ABI 6")


def test_a_checkpoint_is_read_from_a_private_copy_that_goes_with_the_run(
        hosted: Executor, checkpoints: dict[str, str]) -> None:
    """The run reads its own copy of the checkpoint; the original stays out of reach, and
    the copy is gone when the run ends."""
    import glob
    import tempfile

    pattern = os.path.join(tempfile.gettempdir(), "scopeviz-checkpoint-*")
    before = set(glob.glob(pattern))
    trace = hosted.run(f"open({checkpoints['flat'] + '.index'!r}, 'rb')\n",
                       checkpoint=checkpoints["flat"])
    # the sealed run read the keys, though the original file is out of its reach
    assert [k.key for k in trace.checkpoint or []] == ["biases", "weights"]
    assert trace.error is not None and trace.error.type == "FileNotFoundError"
    assert trace.error.line == 1
    assert set(glob.glob(pattern)) == before


def test_a_tf2_run_checks_its_private_checkpoint_copy(
        hosted: Executor, checkpoints: dict[str, str]) -> None:
    """TF2 mode in the sandbox: the run reads the checkpoint's copy and its object graph,
    and writes its ckpt_root's keys in its own space, both within its Landlock rules."""
    from checkpoints import NET_TF2

    from viz.core.checkpoint_tf2 import check_tf2

    trace = hosted.run("import tensorflow as tf\n" + NET_TF2 + "ckpt_root = root\n",
                       mode="tf2", checkpoint=checkpoints["net_tf2"])
    assert trace.ok and trace.checkpoint_error is None and trace.root_error is None, trace.error
    assert any(k.saved_as == "encoder" for k in trace.checkpoint or [])
    report = check_tf2(trace)
    assert report.ok and report.restores == ["encoder", "blocks/0/w", "blocks/1/w", "head"]


def test_a_hostile_checkpoint_is_a_finding_and_the_snippet_still_runs(
        hosted: Executor, tmp_path: Path) -> None:
    (tmp_path / "evil.index").write_bytes(b"\xff" * 4096)
    (tmp_path / "evil.data-00000-of-00001").write_bytes(b"\x00" * 4096)
    trace = hosted.run("v = tf.get_variable('w', [1])\n", checkpoint=str(tmp_path / "evil"))
    assert trace.ok, trace.error
    assert trace.checkpoint == [] and trace.checkpoint_error
    assert "scopeviz-checkpoint-" not in trace.checkpoint_error  # no server path leaks
    assert [v.name for v in trace.variables] == ["w:0"]


def test_another_run_cannot_read_a_runs_checkpoint_copy(
        hosted: Executor, checkpoints: dict[str, str]) -> None:
    """While one run holds its checkpoint copy, a second run that knows the copy's path (the
    test finds it for it) is refused."""
    import glob
    import tempfile
    import threading
    import time

    pattern = os.path.join(tempfile.gettempdir(), "scopeviz-checkpoint-*", "*.index")
    before = set(glob.glob(pattern))
    holder = threading.Thread(target=hosted.run, args=("import time\ntime.sleep(4)\n",),
                              kwargs={"checkpoint": checkpoints["flat"], "timeout": 30.0})
    holder.start()
    try:
        deadline = time.monotonic() + 20
        while not set(glob.glob(pattern)) - before and time.monotonic() < deadline:
            time.sleep(0.05)
        (copy,) = set(glob.glob(pattern)) - before
        intruder = hosted.run(f"print(len(open({copy!r}, 'rb').read()))\n")
    finally:
        holder.join()
    assert intruder.error is not None, intruder.stdout
    assert intruder.error.type == "FileNotFoundError", intruder.stdout
    assert not os.path.exists(copy)


def test_tf2_mode_runs_sealed_too(hosted: Executor) -> None:
    trace = hosted.run("import keras\nfirst = keras.layers.Dense(2)\n"
                       "second = keras.layers.Dense(2)\nsecond.build((None, 3))\n"
                       "open('/etc/hostname').read()\n", mode="tf2")
    assert [layer.name for layer in trace.layers] == ["dense", "dense_1"]
    assert [v.name for v in trace.tf2_variables] == ["dense_1/kernel:0", "dense_1/bias:0"]
    assert trace.error is not None and trace.error.type == "FileNotFoundError"
    assert trace.error.line == 5


def test_a_tf2_runs_checkpoint_is_written_in_its_own_space_only(hosted: Executor) -> None:
    import glob

    trace = hosted.run("import tensorflow as tf\n"
                       "class M(tf.Module):\n"
                       "    def __init__(self):\n"
                       "        self.w = tf.Variable(1.0, name='w')\n"
                       "ckpt_root = M()\n"
                       "tf.train.Checkpoint(root=ckpt_root).save('/tmp/mine')\n", mode="tf2")
    # the snippet's own save and ScopeViz's are written in the run's own /tmp, gone with it
    assert trace.ok, trace.error
    assert not glob.glob("/tmp/mine*")
    assert [(k.key, k.variable) for k in trace.tf2_keys or []] == [
        ("save_counter/.ATTRIBUTES/VARIABLE_VALUE", None), ("w/.ATTRIBUTES/VARIABLE_VALUE", 0)]
