"""An explicit name like w_1 is taken as asked: it only looks uniquified.

w_1 is free, so TF gives exactly w_1 (created). Asking for w afterwards gives w; asking for w
once more gives w_2, because w_1 is taken, and that one is uniquified.
"""
import tensorflow as tf

a = tf.Variable(0.0, name="w_1")
b = tf.Variable(0.0, name="w")
c = tf.Variable(0.0, name="w")
print(a.name, b.name, c.name)
