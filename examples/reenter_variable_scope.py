"""Re-entering a variable scope by name vs by the captured scope object.

Both give get_variable the same prefix (model/...), but each entry opens a new name scope for
ops: by name it is model_1; by object from inside "outer" it is outer/model. Entering the object
still returns get_variable to model/, while the name "model" there would mean outer/model/w.
"""
import tensorflow as tf

with tf.variable_scope("model") as model_scope:
    w = tf.get_variable("w", [2])

with tf.variable_scope("model", reuse=True):
    w_again = tf.get_variable("w", [2])
    op_by_name = tf.identity(w_again, name="read")

with tf.variable_scope("outer"):
    with tf.variable_scope(model_scope, reuse=True):
        w_object = tf.get_variable("w", [2])
        op_by_object = tf.identity(w_object, name="read")

print(w.name, w_again.name, w_object.name)
print(op_by_name.name, op_by_object.name)
