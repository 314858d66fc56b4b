# scopeviz: legacy-keras
"""Migrating TF1 code: track_tf1_style_variables keeps the TF1 names, not the TF1 keys.

Inside a tf-keras layer whose call is decorated with track_tf1_style_variables,
tf.compat.v1.get_variable still names the kernel dense_block/kernel, and the second call gets
the same variables back. A TF2 checkpoint of the layer, though, keys it
_tf1_style_var_store/_vars/dense_block.Skernel: the "tf1_to_tf2" map lines the two up.
"""
import tensorflow as tf


class DenseTF1(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with tf.compat.v1.variable_scope("dense_block"):
            w = tf.compat.v1.get_variable("kernel", [3, 4])
            b = tf.compat.v1.get_variable("bias", [4], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


layer = DenseTF1()
y = layer(tf.ones([2, 3]))
y = layer(tf.ones([2, 3]))
ckpt_root = layer
