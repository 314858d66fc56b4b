"""Inside a tf.Graph names are made unique again: w and w_1.

Eager TF2 never renames a variable, but a graph does, as TF1 did: two tf.Variable(name="w")
built inside tf.Graph().as_default() are w:0 and w_1:0, and re-entering a name scope there
gives block_1. TF2 snippets that build graphs (or use tf.compat.v1 code) see both rules.
"""
import tensorflow as tf

eager_a = tf.Variable(1.0, name="w")
eager_b = tf.Variable(2.0, name="w")
graph = tf.Graph()
with graph.as_default():
    in_graph_a = tf.Variable(1.0, name="w")
    in_graph_b = tf.Variable(2.0, name="w")
    with tf.name_scope("block"):
        c = tf.Variable(3.0, name="c")
    with tf.name_scope("block"):
        d = tf.Variable(4.0, name="c")
print(eager_a.name, eager_b.name, in_graph_a.name, in_graph_b.name, c.name, d.name)
