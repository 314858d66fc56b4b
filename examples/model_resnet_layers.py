"""Real model: a small ResNet built with tf.layers and no names, trained with Momentum.

Unnamed layers take default names, numbered in order of creation: conv2d, conv2d_1, ...,
batch_normalization_N. Each is uniquified (the code asked for conv2d every time), and so is
every optimizer slot of a renamed variable: conv2d_3/kernel/Momentum was asked for as
conv2d/kernel/Momentum. This is why a checkpoint's keys shift when one layer is added.
"""
import tensorflow as tf


def block(x, filters, training, stride=1):
    shortcut = x
    y = tf.layers.conv2d(x, filters, 3, stride, "same", use_bias=False)
    y = tf.nn.relu(tf.layers.batch_normalization(y, training=training))
    y = tf.layers.conv2d(y, filters, 3, 1, "same", use_bias=False)
    y = tf.layers.batch_normalization(y, training=training)
    if stride != 1 or int(x.shape[-1]) != filters:
        shortcut = tf.layers.conv2d(x, filters, 1, stride, "same", use_bias=False)
    return tf.nn.relu(y + shortcut)


images = tf.placeholder(tf.float32, [2, 16, 16, 3])
labels = tf.placeholder(tf.int32, [2])
with tf.variable_scope("resnet_model"):
    x = tf.layers.conv2d(images, 8, 3, 1, "same", use_bias=False)
    for filters, stride in [(8, 1), (8, 1), (16, 2), (16, 1), (32, 2), (32, 1)]:
        x = block(x, filters, training=True, stride=stride)
    x = tf.reduce_mean(x, [1, 2])
    logits = tf.layers.dense(x, 10)
loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    train_op = tf.train.MomentumOptimizer(0.1, 0.9).minimize(
        loss, global_step=tf.train.get_or_create_global_step())
print(len(tf.global_variables()), "variables")
