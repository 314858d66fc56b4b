"""Checkpoints the tests write with real TensorFlow (never hand-made files): a TF1 ``Saver``
over a snippet's graph (``import tensorflow`` meaning compat.v1, as in ScopeViz's runs), or a
TF2 ``tf.train.Checkpoint`` of a snippet's ``root`` object (``tf2:model``: saved as
``tf.train.Checkpoint(model=root)``).

All are written by one process (TF imports once) and cached per test session.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

WRITER = r'''
import json, os, sys
import tensorflow as tf
v1 = tf.compat.v1
jobs = json.load(sys.stdin)
written = {}
for name, (kind, source) in jobs.items():
    prefix = os.path.join(sys.argv[1], name, "model.ckpt")
    if kind == "tf1":  # `import tensorflow as tf` in the snippet means compat.v1 here
        with tf.Graph().as_default():
            sys.modules["tensorflow"] = v1
            exec(source, {"tf": v1})
            sys.modules["tensorflow"] = tf
            with v1.Session() as session:
                session.run(v1.global_variables_initializer())
                written[name] = v1.train.Saver().save(session, prefix)
    else:
        space = {"tf": tf}
        exec(source, space)
        attribute = kind.partition(":")[2] or "root"  # "tf2:model": Checkpoint(model=root)
        written[name] = tf.train.Checkpoint(**{attribute: space["root"]}).save(prefix)
print(json.dumps(written))
'''


NET_TF2 = """\
class Block(tf.Module):
    def __init__(self, value):
        super().__init__()
        self.w = tf.Variable(tf.fill([4, 4], value), name="w")
class Net(tf.Module):
    def __init__(self):
        super().__init__()
        self.encoder = tf.Variable(tf.fill([3, 4], 7.0), name="encoder")
        self.blocks = [Block(1.0), Block(2.0)]
        self.head = tf.Variable(tf.fill([4, 2], 5.0), name="head")
root = Net()
"""

# What each checkpoint was saved from.
JOBS: dict[str, tuple[str, str]] = {
    # a flat model: the "before" of a refactor that moved `weights` into scope `fc1`
    "flat": ("tf1", 'w = tf.get_variable("weights", [3, 4], '
                    'initializer=tf.constant_initializer(7.0))\n'
                    'b = tf.get_variable("biases", [4])\n'),
    # one dense layer, saved without an optimizer
    "dense_once": ("tf1", "y = tf.layers.dense(tf.zeros([2, 3]), 4)\n"),
    # the example pair's "before": the app's browser test checks "after" against it
    "refactor_before": ("tf1", (Path(__file__).resolve().parents[1] / "examples"
                                / "refactor_before.py").read_text(encoding="utf-8")),
    # a TF2 module: `w` was saved from the variable named fc1/weights
    "module": ("tf2", "class Model(tf.Module):\n"
                      "    def __init__(self):\n"
                      "        super().__init__()\n"
                      "        with tf.name_scope('fc1'):\n"
                      "            self.w = tf.Variable(tf.fill([3, 4], 7.0), name='weights')\n"
                      "        self.head = tf.Variable(tf.zeros([4, 2]), name='head')\n"
                      "root = Model()\n"),
    # TF2 module with a list of blocks, saved as root and wrapped as model=
    "net_tf2": ("tf2", NET_TF2),
    "net_tf2_wrapped": ("tf2:model", NET_TF2),
}


def write_checkpoints(folder: Path, jobs: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Writes one checkpoint per job (``"tf1"`` or ``"tf2"``, the snippet) under ``folder``;
    returns each job's checkpoint prefix."""
    done = subprocess.run([sys.executable, "-c", WRITER, str(folder)], input=json.dumps(jobs),
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "TF_USE_LEGACY_KERAS": "1"})  # tf.layers
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
