# scopeviz: legacy-keras
"""Under track_tf1_style_variables, an unnamed tf.compat.v1.layers layer is made anew each call.

get_variable calls are handed back their variables on the next call, but a
tf.compat.v1.layers.dense without a name is a new layer every time, numbered dense, dense_1:
new variables on every call, which no checkpoint of the first call restores. Naming it
(name="proj") keeps one set. The layer objects themselves are named dense_1 and dense_2 (a
TF1 layer's counter starts at 1): a TF1 layer's name is not the scope of its variables.
"""
import tensorflow as tf


class Block(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        unnamed = tf.compat.v1.layers.dense(x, 2)
        named = tf.compat.v1.layers.dense(x, 2, name="proj")
        return unnamed + named


block = Block()
y = block(tf.ones([1, 3]))
y = block(tf.ones([1, 3]))
