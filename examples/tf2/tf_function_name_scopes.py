"""Inside a tf.function, name scopes are numbered again, but variable names are not.

A tf.function runs its Python body as a graph, so re-entering tf.name_scope("block") gives
block_1, as in TF1. The variables it makes on its first call are lifted out of that graph,
though: two tf.Variable(name="c") outside any scope are both c:0, as in eager code.
"""
import tensorflow as tf


class Net(tf.Module):
    def __init__(self):
        super().__init__()
        self.made = []

    @tf.function
    def __call__(self, x):
        if not self.made:
            with tf.name_scope("block"):
                self.made.append(tf.Variable(1.0, name="c"))
            with tf.name_scope("block"):
                self.made.append(tf.Variable(2.0, name="c"))
            self.made.append(tf.Variable(3.0, name="c"))
            self.made.append(tf.Variable(4.0, name="c"))
        return x * self.made[0] * self.made[1]


net = Net()
net(tf.constant(1.0))
print([v.name for v in net.made])
