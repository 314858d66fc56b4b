"""Unnamed tf.Variable objects are Variable, Variable_1, Variable_2, ...

Their names depend on creation order, so a checkpoint written by one program rarely matches
another. Name every variable that has to be saved and restored.
"""
import tensorflow as tf

a = tf.Variable(1.0)
b = tf.Variable(2.0)
with tf.name_scope("scaled"):
    c = tf.Variable(3.0)
print(a.name, b.name, c.name)
