"""Real model: the PTB language model's train/valid/test reuse, with two LSTM layers.

Three copies of the model share one set of weights: the training one is built under
variable_scope("Model", reuse=None), the validation and test ones under reuse=True. Their ops
go to name scopes Train/Model, Valid/Model_1 and Test/Model_2, while every variable stays
Model/...: the RNN cell's kernels, the embedding and softmax_w, softmax_b.
"""
import tensorflow as tf

VOCAB, SIZE, STEPS, LAYERS = 50, 8, 4, 2


def build(inputs, is_training):
    embedding = tf.get_variable("embedding", [VOCAB, SIZE])
    x = tf.nn.embedding_lookup(embedding, inputs)
    cells = [tf.nn.rnn_cell.BasicLSTMCell(SIZE) for _ in range(LAYERS)]
    cell = tf.nn.rnn_cell.MultiRNNCell(cells)
    outputs, _ = tf.nn.dynamic_rnn(cell, x, dtype=tf.float32)
    softmax_w = tf.get_variable("softmax_w", [SIZE, VOCAB])
    softmax_b = tf.get_variable("softmax_b", [VOCAB])
    logits = tf.matmul(tf.reshape(outputs, [-1, SIZE]), softmax_w) + softmax_b
    loss = tf.reduce_mean(logits)
    if is_training:
        lr = tf.Variable(0.0, trainable=False, name="lr")
        grads, _ = tf.clip_by_global_norm(tf.gradients(loss, tf.trainable_variables()), 5)
        tf.train.GradientDescentOptimizer(lr).apply_gradients(
            zip(grads, tf.trainable_variables()),
            global_step=tf.train.get_or_create_global_step())
    return loss


inputs = tf.placeholder(tf.int32, [2, STEPS])
initializer = tf.random_uniform_initializer(-0.1, 0.1)
with tf.name_scope("Train"):
    with tf.variable_scope("Model", reuse=None, initializer=initializer):
        train_loss = build(inputs, is_training=True)
with tf.name_scope("Valid"):
    with tf.variable_scope("Model", reuse=True, initializer=initializer):
        valid_loss = build(inputs, is_training=False)
with tf.name_scope("Test"):
    with tf.variable_scope("Model", reuse=True, initializer=initializer):
        test_loss = build(inputs, is_training=False)
print(len(tf.global_variables()), "variables")
