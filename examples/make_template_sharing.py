"""tf.make_template shares variables across calls without any reuse flag.

The template creates scale/w on its first call and returns it on every later call; its ops
go to name scopes scale, scale_1.
"""
import tensorflow as tf


def scale(x):
    w = tf.get_variable("w", [], initializer=tf.ones_initializer())
    return x * w


scale_t = tf.make_template("scale", scale)
y1 = scale_t(tf.constant(1.0))
y2 = scale_t(tf.constant(2.0))
print([v.name for v in tf.trainable_variables()])
