"""tf.layers with and without names.

Unnamed layers get default names that are uniquified (dense, dense_1), so they never share,
even under reuse. A named layer with reuse=True shares fc/kernel and fc/bias.
"""
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 3])
a = tf.layers.dense(x, 2)
b = tf.layers.dense(x, 2)
c = tf.layers.dense(x, 2, name="fc")
d = tf.layers.dense(x, 2, name="fc", reuse=True)
print([v.name for v in tf.global_variables()])
