"""tf.AUTO_REUSE creates a variable the first time and returns it afterwards.

The first call creates dense/w and dense/b; the second returns them (reused), so one set of
weights serves both inputs without a reuse=True switch.
"""
import tensorflow as tf


def dense(x):
    with tf.variable_scope("dense", reuse=tf.AUTO_REUSE):
        w = tf.get_variable("w", [4, 2])
        b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


x1 = tf.placeholder(tf.float32, [None, 4])
x2 = tf.placeholder(tf.float32, [None, 4])
y1 = dense(x1)
y2 = dense(x2)
print(len(tf.trainable_variables()), "trainable variables")
