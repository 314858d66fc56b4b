"""variable_scope(None, default_name=...) picks a fresh scope each time: block, block_1.

A default name is uniquified per parent scope, so a helper that uses one never shares: its
second call creates block_1/w. Pass an explicit name to share.
"""
import tensorflow as tf


def block():
    with tf.variable_scope(None, default_name="block"):
        return tf.get_variable("w", [2])


w1 = block()
w2 = block()
with tf.variable_scope("net"):
    w3 = block()
print(w1.name, w2.name, w3.name)
