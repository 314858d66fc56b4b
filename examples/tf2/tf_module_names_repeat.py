"""tf.Module names are not numbered: two Dense modules are both dense.

A tf.Module without a name takes its class name in snake case, with no counter (unlike a
Keras layer), and `with self.name_scope` prefixes the variables it makes: both modules' weights
are dense/w:0. A checkpoint tells them apart only by the attribute that holds each.
"""
import tensorflow as tf


class Dense(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = tf.Variable(tf.zeros([3, 2]), name="w")


class Model(tf.Module):
    def __init__(self):
        super().__init__()
        self.first = Dense()
        self.second = Dense()


model = Model()
print(model.first.name, model.second.name, model.first.w.name, model.second.w.name)
ckpt_root = model
