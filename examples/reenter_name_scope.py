"""Re-entering a name scope by name gives a new scope: layer, then layer_1.

tf.name_scope always makes a fresh, uniquified scope. To really go back into the first one,
capture its name (`as scope`) and enter that string, which ends with a slash.
"""
import tensorflow as tf

with tf.name_scope("layer") as scope:
    w1 = tf.Variable(1.0, name="w")

with tf.name_scope("layer"):
    w2 = tf.Variable(1.0, name="w")

with tf.name_scope(scope):
    w3 = tf.Variable(1.0, name="w")

print(w1.name, w2.name, w3.name)
