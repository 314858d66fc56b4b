"""Towers in a loop sharing one set of weights (multi-GPU style).

Each tower gets its own name scope (tower_0, tower_1, tower_2) for ops, while the variables
live once under model/: after the first tower, reuse_variables() makes the others share.
"""
import tensorflow as tf

inputs = [tf.placeholder(tf.float32, [None, 4]) for _ in range(3)]
outputs = []
with tf.variable_scope("model") as scope:
    for i, x in enumerate(inputs):
        with tf.name_scope("tower_%d" % i):
            w = tf.get_variable("w", [4, 4])
            b = tf.get_variable("b", [4], initializer=tf.zeros_initializer())
            outputs.append(tf.nn.relu(tf.matmul(x, w) + b))
        scope.reuse_variables()

print(len(tf.trainable_variables()), "trainable variables for", len(outputs), "towers")
