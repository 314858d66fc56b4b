"""Real model: a DCGAN with batch norm and two Adam optimizers, 100+ variables.

The discriminator runs twice (real, then fake) with reuse=True, so its variables are made once
and reused; batch norm adds moving_mean/moving_variance (not trainable); each optimizer gets
its own var_list, and Adam makes two slots per variable: d_h0_conv/w/Adam and .../Adam_1,
the second numbered by the default-name counter, as in every TF1 checkpoint.
"""
import tensorflow as tf


def conv(x, filters, name, training, norm=True):
    with tf.variable_scope(name):
        w = tf.get_variable("w", [3, 3, int(x.shape[-1]), filters])
        b = tf.get_variable("biases", [filters], initializer=tf.zeros_initializer())
        y = tf.nn.conv2d(x, w, [1, 2, 2, 1], "SAME") + b
        if norm:
            y = tf.layers.batch_normalization(y, training=training, name="bn")
        return tf.nn.leaky_relu(y)


def deconv(x, filters, name, training, norm=True):
    with tf.variable_scope(name):
        y = tf.layers.conv2d_transpose(x, filters, 3, 2, "same", name="deconv")
        if norm:
            y = tf.layers.batch_normalization(y, training=training, name="bn")
        return tf.nn.relu(y)


def generator(z, training=True):
    with tf.variable_scope("generator"):
        h = tf.reshape(tf.layers.dense(z, 2 * 2 * 32, name="g_h0_lin"), [-1, 2, 2, 32])
        for i, filters in enumerate([16, 8, 4]):
            h = deconv(h, filters, "g_h%d" % (i + 1), training)
        return tf.tanh(deconv(h, 3, "g_h4", training, norm=False))


def discriminator(images, reuse=False, training=True):
    with tf.variable_scope("discriminator", reuse=reuse):
        h = conv(images, 4, "d_h0_conv", training, norm=False)
        for i, filters in enumerate([8, 16, 32]):
            h = conv(h, filters, "d_h%d_conv" % (i + 1), training)
        return tf.layers.dense(tf.layers.flatten(h), 1, name="d_h4_lin")


z = tf.placeholder(tf.float32, [4, 8])
real = tf.placeholder(tf.float32, [4, 32, 32, 3])
fake = generator(z)
d_real = discriminator(real)
d_fake = discriminator(fake, reuse=True)
d_loss = tf.reduce_mean(d_fake) - tf.reduce_mean(d_real)
g_loss = -tf.reduce_mean(d_fake)
t_vars = tf.trainable_variables()
d_vars = [v for v in t_vars if v.name.startswith("discriminator/")]
g_vars = [v for v in t_vars if v.name.startswith("generator/")]
with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
    d_optim = tf.train.AdamOptimizer(2e-4, beta1=0.5).minimize(d_loss, var_list=d_vars)
    g_optim = tf.train.AdamOptimizer(2e-4, beta1=0.5).minimize(g_loss, var_list=g_vars)
print(len(tf.global_variables()), "variables")
