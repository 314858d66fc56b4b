"""Eager variables share names: two tf.Variable() are both Variable:0.

In TF2's eager mode nothing makes a variable's name unique: tf.Variable(1.0) twice gives two
variables named Variable:0, and re-entering tf.name_scope("block") gives the same prefix again
(block/c:0 twice), where TF1's graph would have said Variable_1 and block_1.
"""
import tensorflow as tf

a = tf.Variable(1.0)
b = tf.Variable(2.0)
with tf.name_scope("block"):
    c = tf.Variable(3.0, name="c")
with tf.name_scope("block"):
    d = tf.Variable(4.0, name="c")
print(a.name, b.name, c.name, d.name)
