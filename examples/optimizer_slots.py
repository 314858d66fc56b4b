"""An optimizer adds variables of its own: slots named after the variable they serve.

AdamOptimizer makes w/Adam and w/Adam_1 (the second slot through default-name
uniquification) for each trained variable, plus beta1_power and beta2_power.
"""
import tensorflow as tf

x = tf.placeholder(tf.float32, [None, 2])
with tf.variable_scope("linear"):
    w = tf.get_variable("w", [2, 1])
loss = tf.reduce_mean(tf.square(tf.matmul(x, w)))
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
print([v.name for v in tf.global_variables()])
