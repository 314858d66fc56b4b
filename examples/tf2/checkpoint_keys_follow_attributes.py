"""Checkpoint keys follow attributes, not variable names.

tf.train.Checkpoint(root=encoder) saves each variable under the attribute path that reaches
it: dense/_kernel, blocks/0, scale. A variable no attribute holds (loose) is in no checkpoint
at all: "untracked". Setting ckpt_root tells ScopeViz which object to checkpoint.
"""
import tensorflow as tf
import keras


class Encoder(tf.Module):
    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(4)
        self.dense.build((None, 3))
        self.blocks = [tf.Variable(1.0, name="b0"), tf.Variable(2.0, name="b1")]
        self.scale = tf.Variable(3.0, name="scale")


encoder = Encoder()
loose = tf.Variable(0.0, name="loose")
ckpt_root = encoder
