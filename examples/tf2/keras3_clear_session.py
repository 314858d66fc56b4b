"""keras.backend.clear_session() starts Keras's name counters again.

Keras 3 keeps its per-class counters for the whole process: a notebook that builds a model
twice gets dense_2 and dense_3 the second time, unless clear_session() resets them. Then two
layers can both be called dense, and their weights share the path dense/kernel. The next
auto-named Dense is dense_1 again: only `again` took the counter since the reset.
"""
import keras

first = keras.layers.Dense(2)
second = keras.layers.Dense(2)
keras.backend.clear_session()
again = keras.layers.Dense(2)
after = keras.layers.Dense(2)
again.build((None, 3))
first.build((None, 3))
print(first.name, second.name, again.name, after.name, again.kernel.path, first.kernel.path)
