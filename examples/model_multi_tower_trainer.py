"""Real model: the CIFAR-10 multi-GPU trainer's towers, with moving averages, 100+ variables.

Each tower is a name scope tower_0 ... tower_3 inside variable_scope(tf.get_variable_scope()):
tower 0 creates conv1 ... conv14, local15, local16 and softmax_linear, then reuse_variables() makes towers 1-3 return the
same variables (their ops stay in their own name scopes). Momentum adds a slot per variable,
and ExponentialMovingAverage a shadow, both named after the variable.
"""
import tensorflow as tf

TOWERS = 4
CONVS = [(8, 2), (8, 1), (8, 1), (16, 2), (16, 1), (16, 1), (16, 1),
         (32, 2), (32, 1), (32, 1), (32, 1), (32, 1), (32, 1), (32, 1)]


def variable(name, shape, stddev):
    return tf.get_variable(name, shape, initializer=tf.truncated_normal_initializer(stddev))


def inference(images):
    x = images
    for i, (filters, stride) in enumerate(CONVS, start=1):
        with tf.variable_scope("conv%d" % i):
            kernel = variable("weights", [3, 3, int(x.shape[-1]), filters], 5e-2)
            biases = tf.get_variable("biases", [filters], initializer=tf.zeros_initializer())
            x = tf.nn.relu(tf.nn.conv2d(x, kernel, [1, stride, stride, 1], "SAME") + biases)
    x = tf.reshape(x, [int(x.shape[0]), -1])
    for i, units in enumerate([32, 16], start=len(CONVS) + 1):
        with tf.variable_scope("local%d" % i):
            weights = variable("weights", [int(x.shape[-1]), units], 0.04)
            biases = tf.get_variable("biases", [units], initializer=tf.zeros_initializer())
            x = tf.nn.relu(tf.matmul(x, weights) + biases)
    with tf.variable_scope("softmax_linear"):
        weights = variable("weights", [16, 10], 1 / 16.0)
        biases = tf.get_variable("biases", [10], initializer=tf.zeros_initializer())
        return tf.matmul(x, weights) + biases


global_step = tf.train.get_or_create_global_step()
opt = tf.train.MomentumOptimizer(0.1, 0.9)
images = tf.placeholder(tf.float32, [TOWERS, 2, 16, 16, 3])
tower_grads = []
with tf.variable_scope(tf.get_variable_scope()):
    for i in range(TOWERS):
        with tf.name_scope("tower_%d" % i):
            loss = tf.reduce_mean(inference(images[i]))
            tf.get_variable_scope().reuse_variables()
            tower_grads.append(opt.compute_gradients(loss))
grads = [(tf.add_n([g for g, _ in pairs]) / TOWERS, pairs[0][1])
         for pairs in zip(*tower_grads)]
apply_gradients = opt.apply_gradients(grads, global_step=global_step)
ema = tf.train.ExponentialMovingAverage(0.9999, global_step)
averages = ema.apply(tf.trainable_variables())
print(len(tf.global_variables()), "variables")
