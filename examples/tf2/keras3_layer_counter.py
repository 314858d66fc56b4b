"""Why is this layer dense_3? Keras 3 counts auto-named layers per class.

Each Dense() without a name takes the next number of the `dense` counter; a layer named
"dense" explicitly takes no number and is not checked against the others, so two layers can
both be called dense. The counter lives for the whole process (clear_session() resets it).
"""
import keras

first = keras.layers.Dense(8)
second = keras.layers.Dense(8)
explicit = keras.layers.Dense(8, name="dense")
third = keras.layers.Dense(8)
print(first.name, second.name, explicit.name, third.name)
