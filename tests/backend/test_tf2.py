"""TF2 mode on real TF 2.21, Keras 3 and tf-keras: eager names, Keras counters, the three
names of a Keras 3 weight, fresh counters per run, and TF1 mode untouched beside it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from support import ROOT, dump

from viz import Executor
from viz.core import tf2

# Two eager Variable:0 (lines 9, 10) and block/c:0 twice (lines 12, 14).
EAGER = (ROOT / "examples" / "tf2" / "eager_duplicate_names.py").read_text(encoding="utf-8")
COUNTERS = textwrap.dedent("""\
    import keras
    first = keras.layers.Dense(4)
    second = keras.layers.Dense(4)
    named = keras.layers.Dense(4, name="dense")
    third = keras.layers.Dense(4)
    model = keras.Sequential([keras.Input((3,)), first, second])
    """)


def variables(trace: object) -> list[tuple]:
    return [(v["name"], v["status"], v["created_in"], v["line"], v["warnings"])
            for v in trace.to_dict()["variables"]]


def test_eager_names_repeat_and_name_scopes_do_not_uniquify(executor: Executor) -> None:
    trace = executor.run(EAGER, mode="tf2")
    assert trace.ok, trace.error
    assert (trace.mode, trace.keras) == ("tf2", "keras3")
    assert variables(trace) == [
        ("Variable:0", "created", "eager", 9, ["duplicate_name"]),
        ("Variable:0", "created", "eager", 10, ["duplicate_name"]),
        ("block/c:0", "created", "eager", 12, ["duplicate_name"]),
        ("block/c:0", "created", "eager", 14, ["duplicate_name"])]


def test_keras_counters_say_why_a_layer_is_numbered(executor: Executor) -> None:
    trace = executor.run(COUNTERS, mode="tf2")
    assert trace.ok, trace.error
    layers = trace.to_dict()["layers"]
    assert [(layer["name"], layer["class"], layer["auto_named"], layer["uniquified"],
             layer["line"]) for layer in layers] == [
        ("dense", "Dense", True, False, 2), ("dense_1", "Dense", True, True, 3),
        ("dense", "Dense", False, False, 4), ("dense_2", "Dense", True, True, 5),
        ("input_layer", "InputLayer", True, False, 6), ("sequential", "Sequential", True, False, 6),
        ("functional", "Functional", True, False, 6)]
    # dense_2: the explicitly named "dense" took no number
    assert layers[3]["earlier"] == [{"name": "dense", "line": 2}, {"name": "dense_1", "line": 3}]
    # every run starts Keras's counters afresh
    again = executor.run(COUNTERS, mode="tf2")
    assert [layer.name for layer in again.layers] == [layer.name for layer in trace.layers]


def test_clear_session_starts_the_counter_and_the_earlier_list_again(executor: Executor) -> None:
    path = ROOT / "examples" / "tf2" / "keras3_clear_session.py"
    layers = executor.run(path.read_text(encoding="utf-8"), mode="tf2").to_dict()["layers"]
    assert [(layer["name"], layer["line"], layer["earlier"]) for layer in layers] == [
        ("dense", 10, []), ("dense_1", 11, [{"name": "dense", "line": 10}]),
        ("dense", 13, []), ("dense_1", 14, [{"name": "dense", "line": 13}])]


def test_keras3_counters_are_per_thread(executor: Executor) -> None:
    """A layer made in another thread is dense again; main's next is dense_1 because of
    main's first (line 4), not the thread's (line 6)."""
    trace = executor.run(textwrap.dedent("""\
        import threading
        import keras

        first = keras.layers.Dense(2)
        names = []
        worker = threading.Thread(target=lambda: names.append(keras.layers.Dense(2).name))
        worker.start()
        worker.join()
        second = keras.layers.Dense(2)
        print(first.name, names[0], second.name)
        """), mode="tf2")
    assert trace.stdout == "dense dense dense_1\n"
    assert [(layer["name"], layer["line"], layer["earlier"])
            for layer in trace.to_dict()["layers"]] == [
        ("dense", 4, []), ("dense", 6, []), ("dense_1", 9, [{"name": "dense", "line": 4}])]


def test_tf_keras_counters_are_per_graph_and_models_and_inputs_are_layers(
        executor: Executor) -> None:
    """tf-keras: a new graph starts the layer counter again; Input's input_1 comes from a
    one-based counter (so it is not 'numbered'); functional models count under model."""
    trace = executor.run(textwrap.dedent("""\
        # scopeviz: legacy-keras
        import tensorflow as tf
        inp = tf.keras.Input((3,))
        model = tf.keras.Model(inp, tf.keras.layers.Dense(2)(inp))
        with tf.Graph().as_default():
            in_graph = tf.keras.layers.Dense(2)
        again = tf.keras.Model(inp, tf.keras.layers.Dense(2)(inp))
        print(inp.node.layer.name, model.name, in_graph.name, again.name)
        """), mode="tf2")
    assert trace.stdout == "input_1 model dense model_1\n", trace.error
    assert [(layer["name"], layer["class"], layer["auto_named"], layer["uniquified"],
             layer["line"], layer["earlier"]) for layer in trace.to_dict()["layers"]] == [
        ("input_1", "InputLayer", True, False, 3, []),
        ("dense", "Dense", True, False, 4, []),
        ("model", "Functional", True, False, 4, []),
        ("dense", "Dense", True, False, 6, []),
        ("dense_1", "Dense", True, True, 7, [{"name": "dense", "line": 4}]),
        ("model_1", "Functional", True, True, 7, [{"name": "model", "line": 4}])]


def test_a_keras3_weight_has_three_names(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent("""\
        import tensorflow as tf
        import keras
        with tf.name_scope("outer"):
            layer = keras.layers.Dense(2, name="proj")
            layer.build((None, 3))
        """), mode="tf2")
    assert trace.ok, trace.error
    assert [(v.name, v.path, v.keras_name, v.shape) for v in trace.tf2_variables] == [
        ("outer/proj/kernel:0", "proj/kernel", "kernel", [3, 2]),
        ("outer/proj/bias:0", "proj/bias", "bias", [2])]


def test_legacy_keras_is_chosen_by_a_comment(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent("""\
        # scopeviz: legacy-keras
        import tensorflow as tf
        d = tf.keras.layers.Dense(3)
        d2 = tf.keras.layers.Dense(3)
        y = d2(d(tf.ones([1, 2])))
        print(type(d).__module__)
        """), mode="tf2")
    assert trace.ok, trace.error
    assert trace.keras == "tf_keras" and trace.stdout == "tf_keras.src.layers.core.dense\n"
    assert [v.name for v in trace.tf2_variables] == [
        "dense/kernel:0", "dense/bias:0", "dense_1/kernel:0", "dense_1/bias:0"]
    assert [(layer.name, layer.uniquified) for layer in trace.layers] == [
        ("dense", False), ("dense_1", True)]


def test_tf1_mode_is_untouched_beside_tf2(executor: Executor) -> None:
    """The same text means compat.v1 in TF1 mode: get_variable works, the names are TF1's."""
    source = "w = tf.get_variable('w', [1])\nv = tf.Variable(1.0)\nv2 = tf.Variable(1.0)\n"
    tf1 = executor.run(source)
    assert tf1.ok and [v.name for v in tf1.variables] == ["w:0", "Variable:0", "Variable_1:0"]
    tf2 = executor.run("import tensorflow as tf\n" + source, mode="tf2")
    assert tf2.error is not None and tf2.error.type == "AttributeError"
    with pytest.raises(ValueError, match="mode must be"):
        executor.run(source, mode="tf3")


def test_the_cli_takes_mode_tf2_in_every_format() -> None:
    for fmt in ("json", "text", "csv", "dot"):
        done = subprocess.run([sys.executable, "-m", "viz", "trace", "--mode", "tf2", "-",
                               "--format", fmt], input=EAGER, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        if fmt == "json":
            data = json.loads(done.stdout)
            assert (data["schema"], data["mode"], data["keras"]) == (1, "tf2", "keras3")
            assert set(data["variables"][0]) == {
                "name", "requested", "status", "path", "keras_name", "shape", "dtype",
                "trainable", "created_in", "owner", "checkpoint_key", "line", "warnings"}
        elif fmt == "text":
            assert "TF2 mode (Keras 3), 4 variables" in done.stdout
        elif fmt == "csv":
            assert done.stdout.splitlines()[1] == (
                "Variable:0,,,Variable,created,[],float32,True,eager,9,duplicate_name,,")
        else:  # both Variable:0 are drawn, the repeat with its number
            assert '"Variable:0"' in done.stdout and '"Variable (2):0"' in done.stdout


def test_a_variable_made_in_a_tf_function_body_has_its_own_line(executor: Executor) -> None:
    """AutoGraph runs a rewrite of the body from a generated file; the line is the body's
    (18), not the call's (23), whether or not the snippet's file exists on disk (AutoGraph
    converts the function only when it can read its source)."""
    path = ROOT / "examples" / "tf2" / "tf_function_creates_variables_once.py"
    for filename in (str(path), "snippet.py"):
        trace = executor.run(path.read_text(encoding="utf-8"), filename=filename, mode="tf2")
        assert variables(trace) == [("factor:0", "created", "tf.function", 18, [])], filename


TF2_EXAMPLES = sorted((ROOT / "examples" / "tf2").glob("*.py"))


def summary(trace: object) -> dict:
    data = trace.to_dict()
    return {"keras": data["keras"],
            "variables": [[v["name"], v["path"], v["status"], v["created_in"], v["line"],
                           v["warnings"], v["checkpoint_key"]] for v in data["variables"]],
            "checkpoint": data["checkpoint"] and [k["key"] for k in data["checkpoint"]],
            "save_weights": data["save_weights"],
            "tf1_to_tf2": data["tf1_to_tf2"],
            "layers": [[layer["name"], layer["class"], layer["uniquified"], layer["line"]]
                       for layer in data["layers"]],
            "error": data["error"], "stdout": data["stdout"]}


@pytest.mark.parametrize("path", TF2_EXAMPLES, ids=lambda p: p.stem)
def test_tf2_example_matches_golden(executor: Executor, path: object,
                                    update_goldens: bool) -> None:
    trace = executor.run(path.read_text(encoding="utf-8"), filename=path.name, mode="tf2")
    golden = ROOT / "tests" / "goldens" / "tf2" / f"{path.stem}.json"
    if update_goldens:
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(dump(summary(trace)), encoding="utf-8")
    assert summary(trace) == json.loads(golden.read_text(encoding="utf-8"))


def test_checkpoint_keys_follow_attributes_and_untracked_variables_are_named(
        executor: Executor) -> None:
    """TF writes the checkpoint (read back with list_variables); ScopeViz's own save_counter
    is a key but not a variable of the snippet."""
    path = ROOT / "examples" / "tf2" / "checkpoint_keys_follow_attributes.py"
    data = executor.run(path.read_text(encoding="utf-8"), mode="tf2").to_dict()
    assert data["error"] is None and data["checkpoint_error"] is None
    assert [(v["name"], v["checkpoint_key"], v["owner"], v["warnings"])
            for v in data["variables"]] == [
        ("dense/kernel:0", "dense/_kernel/.ATTRIBUTES/VARIABLE_VALUE", "dense/_kernel", []),
        ("dense/bias:0", "dense/bias/.ATTRIBUTES/VARIABLE_VALUE", "dense/bias", []),
        ("b0:0", "blocks/0/.ATTRIBUTES/VARIABLE_VALUE", "blocks/0", []),
        ("b1:0", "blocks/1/.ATTRIBUTES/VARIABLE_VALUE", "blocks/1", []),
        ("scale:0", "scale/.ATTRIBUTES/VARIABLE_VALUE", "scale", []),
        ("loose:0", None, None, ["untracked"])]
    assert "save_counter/.ATTRIBUTES/VARIABLE_VALUE" in [k["key"] for k in data["checkpoint"]]
    # a root that cannot be checkpointed is said, and the run is still good
    bad = executor.run("import tensorflow as tf\nv = tf.Variable(1.0)\nckpt_root = 42\n",
                       mode="tf2")
    assert bad.ok and bad.root_error.startswith("ckpt_root could not be saved")
    assert bad.to_dict()["checkpoint"] is None


def test_the_drawing_marks_warnings_and_checkpoint_keys(executor: Executor) -> None:
    from viz.core.export import dot_source
    from viz.core.view import RenderOptions

    path = ROOT / "examples" / "tf2" / "checkpoint_keys_follow_attributes.py"
    trace = executor.run(path.read_text(encoding="utf-8"), mode="tf2")
    lines = {line.split(" [", 1)[0].strip(): line for line in
             dot_source(trace, RenderOptions()).splitlines() if " [label=" in line}
    # the object tree the checkpoint sees: boxes are attribute paths from ckpt_root
    loose = lines['"(not in the checkpoint)/loose:0"']
    assert 'fillcolor="#e0e0e0"' in loose and "untracked" in loose
    kernel = lines['"dense/_kernel"']
    assert "tf name dense/kernel:0" in kernel  # in the box
    assert "checkpoint key dense/_kernel/.ATTRIBUTES/VARIABLE_VALUE" in kernel  # on hover
    assert 'subgraph "cluster_blocks"' in dot_source(trace, RenderOptions())
    eager = executor.run((ROOT / "examples" / "tf2" / "eager_duplicate_names.py").read_text(
        encoding="utf-8"), mode="tf2")
    dot = dot_source(eager, RenderOptions())
    assert dot.count("duplicate name") >= 4 and '"Variable (2):0"' in dot


def test_a_tf1_style_store_hands_variables_back_as_reused(executor: Executor) -> None:
    """track_tf1_style_variables: the layer's second call gets its variables back."""
    path = ROOT / "examples" / "tf2" / "tf1_to_tf2_map.py"
    data = executor.run(path.read_text(encoding="utf-8"), mode="tf2").to_dict()
    assert data["error"] is None
    assert [(v["name"], v["status"], v["line"], v["checkpoint_key"] is not None)
            for v in data["variables"]] == [
        ("dense_block/kernel:0", "created", 16, True), ("dense_block/bias:0", "created", 17, True),
        ("dense_block/kernel:0", "reused", 16, True), ("dense_block/bias:0", "reused", 17, True)]


TRACK_TF1 = textwrap.dedent("""\
    import tensorflow as tf
    import keras
    from tf_keras.src.legacy_tf_layers.variable_scope_shim import (
        track_tf1_style_variables)


    class Module(tf.Module):
        @track_tf1_style_variables
        def __call__(self, x):
            return tf.matmul(x, tf.compat.v1.get_variable("w", shape=[3, 2]))


    class Keras3Layer(keras.layers.Layer):
        @track_tf1_style_variables
        def call(self, x):
            return tf.matmul(x, tf.compat.v1.get_variable("w", shape=[3, 2]))


    module = Module()
    module(tf.ones([1, 3]))
    module(tf.ones([1, 3]))
    Keras3Layer()(tf.ones([1, 3]))
    """)


def test_track_tf1_style_variables_serves_a_tf_module_and_refuses_a_keras3_layer(
        executor: Executor) -> None:
    """The decorator exists only in tf-keras; a tf.Module's second call gets w back, a
    Keras 3 layer is refused at its first call (line 22)."""
    trace = executor.run(TRACK_TF1, mode="tf2")
    assert [(v["name"], v["status"], v["line"]) for v in trace.to_dict()["variables"]] == [
        ("w:0", "created", 10), ("w:0", "reused", 10)]
    assert (trace.error.type, trace.error.line) == ("ValueError", 22)
    assert "must be applied to a method of a subclassed `tf.Module`" in trace.error.message


def test_a_real_keras3_model_of_214_variables(executor: Executor) -> None:
    """The position embedding is called on a constant: not part of the model, so untracked
    (model.weights has 213); a numbered layer's long counter history is said briefly."""
    from viz.core.tables import layer_rows

    path = ROOT / "examples" / "tf2" / "model_keras3_transformer.py"
    trace = executor.run(path.read_text(encoding="utf-8"), mode="tf2")
    assert trace.ok and trace.stdout == "213 variables\n", trace.error
    records = tf2.variable_records(trace)
    assert len(records) == 214
    assert [r["name"] for r in records if "untracked" in r["warnings"]] == [
        "embedding_1/embeddings:0"]
    why = {row["name"]: row["why"] for row in layer_rows(trace)}
    assert why["dense_26"] == (
        "Keras's `dense` counter was taken by dense (line 22), dense_1 (line 23), ... "
        "dense_25 (line 23): 26 layers, made at lines 22 and 23")
