"""tf.get_variable ignores tf.name_scope.

Inside name scope "block", tf.Variable makes block/a but tf.get_variable makes plain b:
only variable scopes prefix get_variable names. Wrap the code in tf.variable_scope instead.
"""
import tensorflow as tf

with tf.name_scope("block"):
    a = tf.Variable(0.0, name="a")
    b = tf.get_variable("b", shape=[])
    c = tf.add(a, b, name="c")

print(a.name, b.name, c.name)
