"""A refactor, before: a two-layer network with tf.Variable and no scopes.

TF names the second layer's weights weights_1 and its biases biases_1; a checkpoint of this
model holds those names. Compare it with "A refactor, after" (the Compare view, or
python -m viz diff) to map them onto the refactored code.
"""
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 784])
w1 = tf.Variable(tf.random_normal([784, 256]), name="weights")
b1 = tf.Variable(tf.zeros([256]), name="biases")
hidden = tf.nn.relu(tf.matmul(x, w1) + b1)
w2 = tf.Variable(tf.random_normal([256, 10]), name="weights")
b2 = tf.Variable(tf.zeros([10]), name="biases")
logits = tf.matmul(hidden, w2) + b2
global_step = tf.train.get_or_create_global_step()
