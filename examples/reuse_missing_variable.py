"""reuse=True on a variable that does not exist is an error.

With reuse=True, get_variable only returns existing variables; "head/w" was never created, so
TF raises a ValueError. Use reuse=tf.AUTO_REUSE to create it when missing.
"""
import tensorflow as tf

with tf.variable_scope("body"):
    w = tf.get_variable("w", [3])

with tf.variable_scope("head", reuse=True):
    w2 = tf.get_variable("w", [3])
