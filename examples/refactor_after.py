"""A refactor, after: the same network, each layer in its own variable scope.

Its variables are fc1/weights, fc1/biases, fc2/weights and fc2/biases: none keeps its old
name, so a checkpoint of "A refactor, before" no longer restores by name. Compare the two
for the assignment map that loads it with tf.train.init_from_checkpoint.
"""
import tensorflow as tf


def dense(x, units, scope):
    with tf.variable_scope(scope):
        w = tf.get_variable("weights", [x.shape[1], units])
        b = tf.get_variable("biases", [units], initializer=tf.zeros_initializer())
        return tf.matmul(x, w) + b


x = tf.placeholder(tf.float32, [None, 784])
hidden = tf.nn.relu(dense(x, 256, "fc1"))
logits = dense(hidden, 10, "fc2")
global_step = tf.train.get_or_create_global_step()
