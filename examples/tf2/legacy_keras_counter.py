# scopeviz: legacy-keras
"""tf-keras (Keras 2) names layers and variables its own way.

With the comment line above, tf.keras is tf-keras: auto names still count per class (dense,
dense_1), but a variable's name is its layer's name scope plus the weight: dense_1/kernel:0,
with no separate path.
"""
import tensorflow as tf

d = tf.keras.layers.Dense(3)
d2 = tf.keras.layers.Dense(3)
y = d2(d(tf.ones([1, 2])))
print([v.name for v in d2.weights])
