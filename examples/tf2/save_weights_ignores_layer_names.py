"""save_weights and tf.train.Checkpoint write different keys, and neither uses your names.

The first Dense is named "encoder", yet Keras 3's x.weights.h5 stores its kernel at
layers/dense/vars/0 (Keras's own name for the class, counted), and a tf.train.Checkpoint of
the model keys it _functional/_operations/1/_kernel: the hidden Functional's attribute path.
"""
import keras

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="encoder"),
                          keras.layers.Dense(2)])
save_weights_root = model
ckpt_root = model
