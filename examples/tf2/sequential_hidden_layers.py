"""A Sequential model builds layers you did not write: an InputLayer and a Functional.

keras.Input makes an InputLayer (the `input_layer` counter) and a Sequential with an input
builds a hidden Functional model (the `functional` counter), so the next model you make
yourself is functional_1. Its weights' paths start with the Sequential's name.
"""
import keras

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(2)])
inputs = keras.Input((3,))
outputs = keras.layers.Dense(2)(inputs)
other = keras.Model(inputs, outputs)
print(model.name, other.name, [w.path for w in model.weights])
