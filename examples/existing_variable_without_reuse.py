"""Creating a variable that already exists, without reuse, is an error.

The second get_variable("conv/kernel") in a scope with reuse=False raises
"Variable conv/kernel already exists, disallowed". Sharing has to be asked for.
"""
import tensorflow as tf


def conv():
    with tf.variable_scope("conv"):
        return tf.get_variable("kernel", [3, 3, 1, 8])


first = conv()
second = conv()
