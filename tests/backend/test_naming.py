"""Uniquification and reuse, table-first: snippet -> exact names and statuses from real TF."""

from __future__ import annotations

import textwrap

import pytest

from viz import Executor
from viz.core.explain import explain
from viz.core.tables import to_text
from viz.core.tree import build_tree

CASES = {
    "variable_scope_reentered_by_name_keeps_prefix": (
        """
        with tf.variable_scope("vs"):
            a = tf.get_variable("a", [1])
        with tf.variable_scope("vs"):
            b = tf.get_variable("b", [1])
            c = tf.Variable(0.0, name="c")
        """,
        [("vs/a:0", "vs/a", "created"), ("vs/b:0", "vs/b", "created"),
         ("vs_1/c:0", "vs/c", "uniquified")]),
    "tf_variable_ignores_reuse": (
        """
        with tf.variable_scope("vs", reuse=tf.AUTO_REUSE):
            for _ in range(3):
                tf.Variable(0.0, name="w")
        """,
        [("vs/w:0", "vs/w", "created"), ("vs/w_1:0", "vs/w", "uniquified"),
         ("vs/w_2:0", "vs/w", "uniquified")]),
    "case_insensitive_op_names": (
        """
        with tf.variable_scope("Proj"):
            tf.get_variable("P", [1])
        with tf.variable_scope("proj"):
            tf.get_variable("p", [1])
        """,
        [("Proj/P:0", "Proj/P", "created"), ("proj/p_1:0", "proj/p", "uniquified")]),
    "hand_written_suffix_collides": (
        """
        with tf.name_scope("x"):
            tf.Variable(0, name="v")
        with tf.name_scope("x_1"):
            tf.Variable(0, name="v")
        with tf.name_scope("x"):
            tf.Variable(0, name="v")
        """,
        [("x/v:0", "x/v", "created"), ("x_1/v:0", "x_1/v", "created"),
         ("x_2/v:0", "x/v", "uniquified")]),
    "default_name_counters_per_parent": (
        """
        for outer in ("a", "a"):
            with tf.variable_scope(None, default_name="blk"):
                tf.get_variable("w", [1])
        """,
        [("blk/w:0", "blk/w", "created"), ("blk_1/w:0", "blk/w", "uniquified")]),
    "scope_asked_by_name_after_a_default_name_took_it": (
        # The code asked for exactly layer_1: an explicit name is never uniquified.
        """
        with tf.variable_scope("layer"):
            tf.get_variable("b", [1])
        with tf.variable_scope(None, default_name="layer"):
            tf.get_variable("b", [1])
        with tf.variable_scope("layer_1"):
            tf.get_variable("c", [1])
        """,
        [("layer/b:0", "layer/b", "created"), ("layer_1/b:0", "layer/b", "uniquified"),
         ("layer_1/c:0", "layer_1/c", "created")]),
    "template_scope_created_now_and_renamed": (
        # TF enters the scope of create_scope_now_=True privately; foo_1 was asked for as foo.
        """
        def f():
            return tf.get_variable("w", [1])
        t1 = tf.make_template("foo", f, create_scope_now_=True)
        t1()
        t2 = tf.make_template("foo", f, create_scope_now_=True)
        t2()
        t2()
        """,
        [("foo/w:0", "foo/w", "created"), ("foo_1/w:0", "foo/w", "uniquified")]),
    "slots_in_a_name_scope_and_slots_of_a_renamed_variable": (
        # A slot is named after its variable: the name scope around minimize does not count,
        # Adam's second slot is numbered by the default-name counter, and the slot of a
        # variable TF renamed (dense_1) was asked for under the name the code asked for.
        """
        with tf.variable_scope("d"):
            w = tf.get_variable("w", [2])
        with tf.name_scope("train"):
            tf.train.AdamOptimizer().minimize(tf.reduce_sum(w * w))
        x = tf.layers.dense(tf.zeros([1, 2]), 2, use_bias=False)
        x = tf.layers.dense(x, 2, use_bias=False)
        with tf.name_scope("train2"):
            tf.train.MomentumOptimizer(0.1, 0.9).minimize(tf.reduce_sum(x))
        """,
        [("d/w:0", "d/w", "created"),
         ("train/beta1_power:0", "train/beta1_power", "created"),
         ("train/beta2_power:0", "train/beta2_power", "created"),
         ("d/w/Adam:0", "d/w/Adam", "created"), ("d/w/Adam_1:0", "d/w/Adam", "uniquified"),
         ("dense/kernel:0", "dense/kernel", "created"),
         ("dense_1/kernel:0", "dense/kernel", "uniquified"),
         ("dense/kernel/Momentum:0", "dense/kernel/Momentum", "created"),
         ("dense_1/kernel/Momentum:0", "dense/kernel/Momentum", "uniquified")]),
    "custom_getter_that_renames": (
        # The code asked for s/one_name; the getter's own choice is not TF uniquifying.
        """
        def renaming_getter(getter, name, *args, **kwargs):
            return getter("forced_name", *args, **kwargs)
        with tf.variable_scope("s", custom_getter=renaming_getter):
            tf.get_variable("one_name", [1])
        """,
        [("forced_name:0", "s/one_name", "created")]),
    "partitioned_variable": (
        """
        emb = tf.get_variable("emb", [10, 4],
                              partitioner=tf.fixed_size_partitioner(2))
        """,
        [("emb/part_0:0", "emb/part_0", "created"), ("emb/part_1:0", "emb/part_1", "created")]),
    "use_resource": (
        """
        with tf.variable_scope("r"):
            v = tf.get_variable("v", [2], use_resource=True)
        print(type(v).__name__)
        """,
        [("r/v:0", "r/v", "created")]),
    "ema_shadow_variables": (
        """
        w = tf.get_variable("w", [2])
        ema = tf.train.ExponentialMovingAverage(0.9)
        op = ema.apply([w])
        """,
        [("w:0", "w", "created"), ("w/ExponentialMovingAverage:0",
                                    "w/ExponentialMovingAverage", "created")]),
    "rnn_cell_variables": (
        """
        cell = tf.nn.rnn_cell.BasicLSTMCell(4)
        x = tf.placeholder(tf.float32, [None, 5, 3])
        out, state = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        """,
        [("rnn/basic_lstm_cell/kernel:0", "rnn/basic_lstm_cell/kernel", "created"),
         ("rnn/basic_lstm_cell/bias:0", "rnn/basic_lstm_cell/bias", "created")]),
    "reset_default_graph_at_the_top": (
        """
        import tensorflow as tf
        tf.reset_default_graph()
        with tf.name_scope("top"):
            v = tf.Variable(1, name="v")
        """,
        [("top/v:0", "top/v", "created")]),
    "main_block_runs": (
        """
        def build():
            return tf.get_variable("main_w", [1])

        if __name__ == "__main__":
            build()
        """,
        [("main_w:0", "main_w", "created")]),
    "custom_getter_sees_the_name": (
        """
        def rename(getter, name, *args, **kwargs):
            return getter(name + "_custom", *args, **kwargs)

        with tf.variable_scope("cg", custom_getter=rename):
            tf.get_variable("w", [1])
        """,
        # requested is what the code asked for (cg/w); the getter's suffix is no _N.
        [("cg/w_custom:0", "cg/w", "created")]),
    "variable_creator_that_renames": (
        # requested is what tf.Variable was asked for; TF's _N on the creator's name and on
        # the re-entered name scope is uniquifying, the creator's own choice is not.
        """
        def renaming_creator(next_creator, **kwargs):
            kwargs["name"] = "forced_name"
            return next_creator(**kwargs)

        with tf.variable_creator_scope(renaming_creator):
            tf.Variable(1, name="one_name")
            tf.Variable(2, name="one_name")
        with tf.name_scope("n"):
            pass
        with tf.name_scope("n"):
            with tf.variable_creator_scope(renaming_creator):
                tf.Variable(3, name="one_name")
            tf.Variable(4, name="abs/")
        """,
        [("forced_name:0", "one_name", "created"),
         ("forced_name_1:0", "one_name", "uniquified"),
         ("n_1/forced_name:0", "n/one_name", "uniquified"),
         ("abs:0", "abs", "created")]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_names_and_statuses(executor: Executor, case: str) -> None:
    source, expected = CASES[case]
    trace = executor.run(textwrap.dedent(source))
    assert trace.error is None
    assert [(v.name, v.requested, v.status) for v in trace.variables] == expected


def test_import_tensorflow_gives_v1_graph_mode_with_ref_dtypes(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent("""
        import tensorflow as tf
        print(tf.executing_eagerly(), tf.__name__.endswith("compat.v1"))
        print(tf.Variable([1], name="r").dtype.name)
    """))
    assert trace.stdout == "False True\nint32_ref\n"


def test_tf_is_prebound_and_other_imports_work(executor: Executor) -> None:
    trace = executor.run("import numpy as np\nfrom tensorflow.compat.v1 import get_variable\n"
                         "w = get_variable('w', [2], initializer=tf.constant_initializer(np.pi))\n")
    assert trace.ok and [v.name for v in trace.variables] == ["w:0"]


def test_runs_do_not_leak_into_each_other(executor: Executor) -> None:
    first = executor.run("tf.get_variable('shared', [1])\nimport builtins\nbuiltins.len = None\n")
    second = executor.run("tf.get_variable('shared', [1])\nprint(len([1, 2]))\n")
    assert first.ok and second.ok
    assert [v.name for v in second.variables] == ["shared:0"]
    assert second.stdout == "2\n"


def test_reuse_records_call_site_name_scope_and_setting(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent("""
        with tf.variable_scope("m"):
            tf.get_variable("w", [1])
        with tf.variable_scope("m", reuse=True):
            with tf.name_scope("inner"):
                tf.get_variable("w", [1])
    """))
    (reuse,) = trace.reuses
    assert (reuse.name, reuse.name_scope, reuse.variable_scope, reuse.reuse, reuse.line) == (
        "m/w:0", "m_1/inner", "m", True, 6)


def test_layer_variables_name_the_layer_call(executor: Executor) -> None:
    trace = executor.run("x = tf.placeholder(tf.float32, [None, 2])\n"
                         "y = tf.layers.dense(x, 3)\n")
    kernel = trace.variables[0]
    assert (kernel.name, kernel.api, kernel.via, kernel.line) == (
        "dense/kernel:0", "tf.get_variable", "dense", 2)


def test_events_record_scopes_with_lines(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent("""
        with tf.name_scope("a"):
            pass
        with tf.name_scope("a"):
            with tf.variable_scope("v") as scope:
                scope.reuse_variables()
    """))
    kinds = [(e.kind, e.line) for e in trace.events]
    assert kinds == [("name_scope", 2), ("name_scope", 4), ("variable_scope", 5),
                     ("reuse_variables", 6)]
    assert trace.events[1].given == "a_1" and trace.events[1].requested == "a"
    assert trace.events[2].name == "v" and trace.events[2].name_scope == "a_1/v"
    assert trace.scopes()["a_1/v"]["kinds"] == ["name_scope"]


def test_ops_outside_variables_are_recorded(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent("""
        with tf.name_scope("block"):
            a = tf.Variable(0.0, name="a")
            b = tf.get_variable("b", shape=[])
            c = tf.add(a, b, name="c")
    """))
    assert trace.ops == ["block/c"] and trace.ops_total == 1


def test_slots_are_explained_as_slots(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent(CASES[
        "slots_in_a_name_scope_and_slots_of_a_renamed_variable"][0]))
    sentences = {e.subject: e.text for e in explain(trace)}
    assert sentences["d/w/Adam:0"] == (
        "Adam is d/w/Adam: a slot of d/w (created by AdamOptimizer.minimize); TF names a "
        "slot's variable scope after its variable, whatever name scope the call ran in.")
    assert sentences["d/w/Adam_1:0"] == (
        "Adam_1 is d/w/Adam_1 and not d/w/Adam because d/w already had a slot named Adam: an "
        "optimizer keeps more than one slot per variable under its own name (Adam's m and v), "
        "and the default-name counter numbered this one Adam_1 (it holds Adam's second "
        "moment, v): the optimizer's own convention, not a name your code repeated (created "
        "by AdamOptimizer.minimize).")
    assert sentences["dense_1/kernel/Momentum:0"] == (
        "Momentum is dense_1/kernel/Momentum and not dense/kernel/Momentum because it is a "
        "slot of dense_1/kernel, which TF had named so instead of dense/kernel: default name "
        "dense was already used in this variable scope, so "
        "variable_scope(None, default_name='dense') at line 7 gave dense_1 "
        "(created by MomentumOptimizer.minimize).")


def test_the_variable_stores_own_get_variable_is_a_get_variable(executor: Executor) -> None:
    # TF's own tests call the store directly and assert `v1 is v`: a reuse, made by the
    # get_variable machinery.
    trace = executor.run(textwrap.dedent("""\
        from tensorflow.python.ops import variable_scope as vs
        store = vs._VariableStore()
        v = store.get_variable("a/w", [1])
        v1 = store.get_variable("a/w", [1], reuse=True)
        print(v1 is v)
        """))
    assert trace.ok and trace.stdout == "True\n", trace.error
    assert [(v.name, v.api, v.status, v.line) for v in trace.variables] == [
        ("a/w:0", "tf.get_variable", "created", 3)]
    assert [(r.name, r.reuse, r.line) for r in trace.reuses] == [("a/w:0", True, 4)]


def test_a_reuse_is_blamed_only_on_what_was_in_force(executor: Executor) -> None:
    trace = executor.run(textwrap.dedent("""\
        with tf.variable_scope("a") as s:
            tf.get_variable("w", [1])
            s.reuse_variables()
            tf.get_variable("w", [1])
        with tf.variable_scope("a", reuse=tf.AUTO_REUSE):
            tf.get_variable("w", [1])
        def f():
            return tf.get_variable("t", [1])
        template = tf.make_template("tpl", f)
        template()
        template()
        """))
    assert trace.ok, trace.error
    reasons = [e.text for e in explain(trace) if e.text.startswith("line ")]
    assert reasons == [
        "line 4 reuses a/w because scope.reuse_variables() was called on a at line 3.",
        # the scope of line 3 is closed: the AUTO_REUSE scope entered at line 5 is in force
        "line 6 reuses a/w because variable_scope('a') has reuse=tf.AUTO_REUSE at line 5, "
        "which returns a variable that exists; the call ran in name scope a_1, which "
        "tf.get_variable ignores.",
        "line 8 reuses tpl/t because the template or layer that owns variable scope tpl "
        "re-entered it with reuse=True when called again at line 11; the call ran in name "
        "scope tpl_1, which tf.get_variable ignores.",
    ]


def test_a_missing_variable_error_is_explained_by_the_reuse_in_force(executor: Executor) -> None:
    # CIFAR-10's old bug: a root reuse_variables() makes the moving averages' slots fail.
    trace = executor.run(textwrap.dedent("""\
        w = tf.get_variable("w", [1])
        tf.get_variable_scope().reuse_variables()
        ema = tf.train.ExponentialMovingAverage(0.9)
        ema.apply([w])
        """))
    assert trace.error is not None and trace.error.type == "ValueError"
    last = explain(trace)[-1]
    assert (last.subject, last.line) == ("error", 4)
    assert last.text == (
        "w/ExponentialMovingAverage could not be created: get_variable only returns existing "
        "variables there, because scope.reuse_variables() was called on the root scope at "
        "line 2; create it before that, or keep the reuse inside its own variable_scope.")


def test_each_graph_names_apart_and_says_which_graph(executor: Executor) -> None:
    # A second tf.Graph starts its own names: its a/w is created, not a/w_1, and its reuse
    # finds its own a/w. Both graphs' variables stay distinct rows, nodes and sentences.
    trace = executor.run(textwrap.dedent("""
        with tf.variable_scope("a"):
            tf.get_variable("w", [1])
        g = tf.Graph()
        with g.as_default():
            with tf.variable_scope("a"):
                tf.get_variable("w", [2])
            with tf.variable_scope("a", reuse=True):
                tf.get_variable("w", [2])
        with tf.variable_scope("a", reuse=True):
            tf.get_variable("w", [1])
    """))
    assert trace.ok, trace.error
    assert [(v.name, v.status, v.shape, v.graph) for v in trace.variables] == [
        ("a/w:0", "created", [1], 0), ("a/w:0", "created", [2], 1)]
    assert [(r.name, r.line, r.graph) for r in trace.reuses] == [("a/w:0", 9, 1),
                                                                  ("a/w:0", 11, 0)]
    tree = build_tree(trace)
    assert set(tree.variables) == {"a/w:0", "(graph 1)/a/w:0"}
    assert tree.reuse_count("a/w:0") == tree.reuse_count("(graph 1)/a/w:0") == 1
    assert "(graph 1)/a" in trace.scopes() and "a" in trace.scopes()
    sentences = {e.subject: e.text for e in explain(trace)}
    assert "(graph 1)/a/w:0" in sentences and "a/w:0" in sentences
    assert to_text(trace).splitlines()[2].split()[-1] == "0"  # the graph column
    assert "returned a/w:0 of graph 1" in to_text(trace)


def test_a_template_keeps_its_variables_in_the_scope_it_captured(executor: Executor) -> None:
    # Called first inside a name scope, the template still puts w in foo: it re-entered the
    # variable scope it captured when it was made, which is the reason to give.
    trace = executor.run(textwrap.dedent("""
        def f():
            return tf.get_variable("w", [1])
        t = tf.make_template("foo", f, create_scope_now_=True)
        with tf.name_scope("outer"):
            t()
    """))
    assert trace.ok, trace.error
    (variable,) = trace.variables
    assert (variable.name, variable.name_scope) == ("foo/w:0", "outer/foo")
    (sentence,) = [e.text for e in explain(trace) if e.subject == "foo/w:0"]
    assert sentence.startswith("w is foo/w: the template or layer that owns variable scope foo "
                               "re-entered the scope it captured")
    assert "tf.get_variable ignores name scopes" not in sentence


def test_a_tf_function_variable_is_recorded_at_its_body_line_in_tf1_mode(
        executor: Executor) -> None:
    """tf.function makes its variables without TF's default creator, and AutoGraph runs its
    body as a rewrite in another file: the variable is still recorded, once, at line 8."""
    trace = executor.run(textwrap.dedent("""\
        import tensorflow as tf

        made = []

        @tf.function
        def build(x):
            if not made:
                made.append(tf.Variable(
                    1.0, name="w"))
            return x * made[0]

        y = build(tf.constant(2.0))
        shared = tf.Variable(3.0, name="shared")
        """))
    assert trace.ok, trace.error
    assert [(v.name, v.status, v.api, v.line, v.via) for v in trace.variables] == [
        ("w:0", "created", "tf.Variable", 8, None),
        ("shared:0", "created", "tf.Variable", 13, None)]
