# scopeviz: legacy-keras
"""Under track_tf1_style_variables, reuse=True on a missing variable quietly creates it.

(track_tf1_style_variables comes with tf-keras, hence the comment line above, also for a
plain tf.Module.)

TF1 raised "Variable head/w does not exist" for get_variable with reuse=True and nothing to
reuse. A tf.Module method decorated with track_tf1_style_variables does not: it makes
head/w on the first call and hands it back on the next, so a typo in a scope name goes
unnoticed until a checkpoint does not restore.
"""
import tensorflow as tf


class Head(tf.Module):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        with tf.compat.v1.variable_scope("head", reuse=True):
            w = tf.compat.v1.get_variable("w", [3, 1])
        return tf.matmul(x, w)


head = Head()
y = head(tf.ones([2, 3]))
y = head(tf.ones([2, 3]))
ckpt_root = head
