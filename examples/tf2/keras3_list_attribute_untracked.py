"""A Keras 3 model does not checkpoint layers kept in a plain list attribute.

The Dense layers in self.blocks are built and trained with the model, but Keras 3 does not
track a list attribute of a Model for checkpoints: their weights are "untracked", so a
restore leaves them as they were. The head, a direct attribute, is saved.
"""
import keras


class Net(keras.Model):
    def __init__(self):
        super().__init__()
        self.blocks = [keras.layers.Dense(4), keras.layers.Dense(4)]
        self.head = keras.layers.Dense(1)

    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return self.head(x)


net = Net()
net(keras.ops.ones((2, 3)))
ckpt_root = net
