"""name_scope with a trailing slash re-enters that exact scope instead of making a new one.

"enc/" means the absolute scope enc, so v2 lands in enc/ beside v1; without the slash the
second entry would give enc_1. name_scope("") goes back to the root.
"""
import tensorflow as tf

with tf.name_scope("enc"):
    v1 = tf.Variable(0, name="v1")

with tf.name_scope("enc/"):
    v2 = tf.Variable(0, name="v2")

with tf.name_scope("enc"):
    v3 = tf.Variable(0, name="v3")
    with tf.name_scope(""):
        v4 = tf.Variable(0, name="v4")

print(v1.name, v2.name, v3.name, v4.name)
