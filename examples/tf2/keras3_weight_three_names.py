"""A Keras 3 weight has three names: .name, .path and the tf.Variable's name.

The weight's own name is `kernel`, its path `proj/kernel` follows the layer, and the
tf.Variable behind it is named `outer/proj/kernel:0` because tf.name_scope("outer") was open
when it was built: tf.name_scope changes one of them and not the others.
"""
import tensorflow as tf
import keras

with tf.name_scope("outer"):
    layer = keras.layers.Dense(2, name="proj")
    layer.build((None, 3))
print(layer.kernel.name, layer.kernel.path, layer.kernel.value.name)
