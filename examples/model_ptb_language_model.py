"""Real model: the PTB language model's train/valid/test reuse, six bidirectional LSTM layers.

Three copies of the model share one set of weights: the training one is built under
variable_scope("Model", reuse=None), the validation and test ones under reuse=True. Their ops
go to name scopes Train/Model, Valid/Model_1 and Test/Model_2, while every variable stays
Model/...: each layer's forward and backward cell kernels, the embedding and softmax_w,
softmax_b. Only the training copy adds Adam's slots (w/Adam, w/Adam_1) and the moving averages
used for evaluation (w/ExponentialMovingAverage): 112 variables.
"""
import tensorflow as tf

VOCAB, SIZE, STEPS, LAYERS = 50, 8, 4, 6


def build(inputs, is_training):
    embedding = tf.get_variable("embedding", [VOCAB, SIZE])
    x = tf.nn.embedding_lookup(embedding, inputs)
    for layer in range(LAYERS):
        with tf.variable_scope("layer_%d" % layer):
            (fw, bw), _ = tf.nn.bidirectional_dynamic_rnn(
                tf.nn.rnn_cell.BasicLSTMCell(SIZE // 2), tf.nn.rnn_cell.BasicLSTMCell(SIZE // 2),
                x, dtype=tf.float32)
            x = tf.concat([fw, bw], axis=2)
    softmax_w = tf.get_variable("softmax_w", [SIZE, VOCAB])
    softmax_b = tf.get_variable("softmax_b", [VOCAB])
    logits = tf.matmul(tf.reshape(x, [-1, SIZE]), softmax_w) + softmax_b
    loss = tf.reduce_mean(logits)
    if is_training:
        lr = tf.Variable(0.001, trainable=False, name="lr")
        weights = tf.trainable_variables()
        grads, _ = tf.clip_by_global_norm(tf.gradients(loss, weights), 5)
        train_op = tf.train.AdamOptimizer(lr).apply_gradients(
            zip(grads, weights), global_step=tf.train.get_or_create_global_step())
        with tf.control_dependencies([train_op]):
            tf.train.ExponentialMovingAverage(0.999).apply(weights)
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
