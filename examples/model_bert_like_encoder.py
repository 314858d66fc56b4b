"""Real model: a BERT-like encoder, 12 layers, 204 variables.

Written the way Google's BERT code names things: explicit variable scopes (bert/encoder/
layer_0 ... layer_11, attention/self/query), tf.layers.dense for kernels and biases, and
LayerNorm as get_variable gamma and beta. Every name is asked for explicitly, so nothing is
uniquified: this is the name list a BERT checkpoint expects.
"""
import tensorflow as tf

HIDDEN, LAYERS, VOCAB, POSITIONS = 8, 12, 30, 16


def layer_norm(x, name="LayerNorm"):
    with tf.variable_scope(name):
        gamma = tf.get_variable("gamma", [HIDDEN], initializer=tf.ones_initializer())
        beta = tf.get_variable("beta", [HIDDEN], initializer=tf.zeros_initializer())
        mean, variance = tf.nn.moments(x, [-1], keep_dims=True)
        return gamma * (x - mean) * tf.rsqrt(variance + 1e-12) + beta


def attention(x):
    with tf.variable_scope("self"):
        q = tf.layers.dense(x, HIDDEN, name="query")
        k = tf.layers.dense(x, HIDDEN, name="key")
        v = tf.layers.dense(x, HIDDEN, name="value")
        weights = tf.nn.softmax(tf.matmul(q, k, transpose_b=True))
        return tf.matmul(weights, v)


ids = tf.placeholder(tf.int32, [2, POSITIONS])
with tf.variable_scope("bert"):
    with tf.variable_scope("embeddings"):
        words = tf.get_variable("word_embeddings", [VOCAB, HIDDEN])
        positions = tf.get_variable("position_embeddings", [POSITIONS, HIDDEN])
        types = tf.get_variable("token_type_embeddings", [2, HIDDEN])
        x = layer_norm(tf.nn.embedding_lookup(words, ids) + positions + types[0])
    with tf.variable_scope("encoder"):
        for i in range(LAYERS):
            with tf.variable_scope("layer_%d" % i):
                with tf.variable_scope("attention"):
                    a = attention(x)
                    with tf.variable_scope("output"):
                        x = layer_norm(tf.layers.dense(a, HIDDEN, name="dense") + x)
                with tf.variable_scope("intermediate"):
                    h = tf.layers.dense(x, 4 * HIDDEN, activation=tf.nn.relu, name="dense")
                with tf.variable_scope("output"):
                    x = layer_norm(tf.layers.dense(h, HIDDEN, name="dense") + x)
    with tf.variable_scope("pooler"):
        pooled = tf.layers.dense(x[:, 0], HIDDEN, activation=tf.tanh, name="dense")
with tf.variable_scope("cls/predictions"):
    with tf.variable_scope("transform"):
        t = layer_norm(tf.layers.dense(x, HIDDEN, name="dense"))
    output_bias = tf.get_variable("output_bias", [VOCAB], initializer=tf.zeros_initializer())
    logits = tf.matmul(tf.reshape(t, [-1, HIDDEN]), words, transpose_b=True) + output_bias
print(len(tf.trainable_variables()), "trainable variables")
