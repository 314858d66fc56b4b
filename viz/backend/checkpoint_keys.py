"""Reads a checkpoint's keys inside a run, with TF's own reader, before the snippet runs.

The checkpoint may be a stranger's upload: it is parsed here, in the run's sealed process,
never in the server. Only the index is needed for keys, shapes and dtypes; a TF2 object-based
checkpoint's object graph (the names its variables were saved from) is in its data file.
"""

from __future__ import annotations

from typing import Any

import tensorflow.compat.v1 as tf_v1
from tensorflow.core.protobuf import trackable_object_graph_pb2

OBJECT_GRAPH_KEY = "_CHECKPOINTABLE_OBJECT_GRAPH"


def _saved_names(reader: Any) -> dict[str, str]:
    """Checkpoint key -> the variable's name when saved, from a TF2 checkpoint's object graph;
    empty when there is none or it cannot be read (no data file beside the index)."""
    try:
        graph = trackable_object_graph_pb2.TrackableObjectGraph()
        graph.ParseFromString(reader.get_tensor(OBJECT_GRAPH_KEY))
    except Exception:  # noqa: BLE001 - any unreadable object graph means "no names"
        return {}
    return {attribute.checkpoint_key: attribute.full_name
            for node in graph.nodes for attribute in node.attributes
            if attribute.name == "VARIABLE_VALUE" and attribute.full_name}


def read(prefix: str) -> list[dict[str, Any]]:
    """Every tensor of the checkpoint at ``prefix``, sorted by key: key, shape, dtype and the
    saved name when the object graph gives one. The object graph itself is not a variable.

    Raises:
        tf.errors.OpError (and others): the prefix holds no readable checkpoint.
    """
    reader = tf_v1.train.NewCheckpointReader(prefix)
    shapes = reader.get_variable_to_shape_map()
    dtypes = reader.get_variable_to_dtype_map()
    saved = _saved_names(reader) if OBJECT_GRAPH_KEY in shapes else {}
    return [{"key": key, "shape": [int(d) for d in shapes[key]], "dtype": dtypes[key].name,
             "saved_as": saved.get(key)}
            for key in sorted(shapes) if key != OBJECT_GRAPH_KEY]
