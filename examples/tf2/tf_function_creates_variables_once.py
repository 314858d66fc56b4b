"""A tf.function may create variables only on its first call: create them once, outside.

tf.function traces the Python code more than once; a tf.Variable made in the body would be a
new variable on every trace, which TF refuses ("only supports singleton tf.Variables"). The
usual fix, shown here, keeps the variable on an object and creates it only when it is None.
"""
import tensorflow as tf


class Scale(tf.Module):
    def __init__(self):
        super().__init__()
        self.factor = None

    @tf.function
    def __call__(self, x):
        if self.factor is None:
            self.factor = tf.Variable(2.0, name="factor")
        return x * self.factor


scale = Scale()
print(float(scale(tf.constant(3.0))), float(scale(tf.constant(4.0))))
ckpt_root = scale
