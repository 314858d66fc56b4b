"""A GAN discriminator called twice: on real images, then on generated ones.

The second call passes reuse=True, so both calls share discriminator/h1/... while their ops go
to name scopes discriminator and discriminator_1. Forgetting reuse=True raises a ValueError.
"""
import tensorflow as tf


def discriminator(x, reuse=False):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = tf.layers.dense(x, 16, activation=tf.nn.leaky_relu, name="h1")
        return tf.layers.dense(h, 1, name="logit")


def generator(z):
    with tf.variable_scope("generator"):
        return tf.layers.dense(z, 8, activation=tf.tanh, name="out")


real = tf.placeholder(tf.float32, [None, 8])
z = tf.placeholder(tf.float32, [None, 4])
d_real = discriminator(real)
d_fake = discriminator(generator(z), reuse=True)
print([v.name for v in tf.trainable_variables()])
