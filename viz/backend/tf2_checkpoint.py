"""TF2 mode: the keys ``tf.train.Checkpoint(root=ckpt_root).save()`` writes, and which of the
run's variables each holds; the keys ``save_weights_root.save_weights()`` writes. Runs in the
sealed run, after the snippet, with recording off.

The checkpoint is really written (into the run's own space, removed with it) and read back
with ``tf.train.list_variables``: the keys reported are the ones TF wrote. Which variable a key
holds is found by walking the object graph from the root breadth first, as TF does (a
variable reachable two ways is saved under its first path), and kept only where the key so
computed is among those written.
"""

from __future__ import annotations

import collections
import os
from typing import Any

import tensorflow as tf
from tensorflow.python.trackable import trackable_utils

from viz.backend.checkpoint_keys import OBJECT_GRAPH_KEY
from viz.core.names import TF2_SUFFIX


def _object_paths(root: Any) -> dict[int, tuple[Any, str]]:
    """Every trackable reachable from ``root``, by id: (the object, its escaped path)."""
    view = tf.train.TrackableView(root)
    paths: dict[int, tuple[Any, str]] = {id(root): (root, "")}
    queue = collections.deque([root])
    while queue:
        node = queue.popleft()
        base = paths[id(node)][1]
        for name, child in view.children(node).items():
            if id(child) in paths:
                continue
            local = trackable_utils.escape_local_name(name)
            paths[id(child)] = (child, f"{base}/{local}" if base else local)
            queue.append(child)
    return paths


def checkpoint_keys(root: Any, space: str, index: dict[int, int]) -> list[dict[str, Any]]:
    """The keys a checkpoint of ``root`` holds (the object graph itself left out), each with
    the position (``index``: by the id of each of the run's tf.Variables, in creation order)
    of the variable it holds, or None, and the object path that holds it."""
    prefix = tf.train.Checkpoint(root=root).save(os.path.join(space, "ckpt"))
    written = dict(tf.train.list_variables(prefix))
    holders: dict[str, tuple[int, str]] = {}
    for obj, path in _object_paths(root).values():
        backing = getattr(obj, "_value", obj)  # a Keras 3 weight wraps its tf.Variable
        position = index.get(id(backing), index.get(id(obj)))
        if position is not None and path:
            holders.setdefault(path + TF2_SUFFIX, (position, path))
    keys = []
    for key in sorted(written):
        if key == OBJECT_GRAPH_KEY:
            continue
        position, owner = holders.get(key, (None, None))
        keys.append({"key": key, "shape": [int(d) for d in written[key]],
                     "variable": position, "owner": owner})
    return keys


def save_weights_keys(model: Any, space: str, keras_flavour: str) -> list[dict[str, Any]]:
    """What ``model.save_weights`` writes, read back: under Keras 3 the HDF5 dataset paths
    of ``x.weights.h5`` (format ``h5``), under tf-keras the keys of its TF-format
    checkpoint (format ``tf``)."""
    if keras_flavour == "keras3":
        import h5py

        path = os.path.join(space, "x.weights.h5")
        model.save_weights(path)
        keys: list[dict[str, Any]] = []

        def visit(name: str, item: Any) -> None:
            if isinstance(item, h5py.Dataset):
                keys.append({"key": name, "shape": [int(d) for d in item.shape],
                             "format": "h5"})

        with h5py.File(path, "r") as weights:
            weights.visititems(visit)
        return keys
    prefix = os.path.join(space, "weights")
    model.save_weights(prefix)
    return [{"key": key, "shape": [int(d) for d in shape], "format": "tf"}
            for key, shape in tf.train.list_variables(prefix)
            if key != OBJECT_GRAPH_KEY]
