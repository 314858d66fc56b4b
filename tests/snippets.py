"""Snippets several test modules run (each module imports them from here, not from another
test module: a module collected alone must find them)."""

import textwrap

# Legal TF that raised RecursionError in the tree: 1,000 nested name scopes.
DEEP = ("import contextlib\nimport tensorflow as tf\nwith contextlib.ExitStack() as stack:\n"
        "    for _ in range(1000):\n        stack.enter_context(tf.name_scope('a'))\n"
        "    v = tf.Variable(1, name='v')\n")

# A TF2 model whose attribute paths are its checkpoint keys (the Compare tests rename them).
TF2_NET = textwrap.dedent("""\
    import tensorflow as tf
    class Net(tf.Module):
        def __init__(self):
            super().__init__()
            self.encoder = tf.Variable(tf.zeros([3, 4]), name="encoder")
            self.head = tf.Variable(tf.zeros([4, 2]), name="w")
    ckpt_root = Net()
    """)

# A TF1 model and its TF2 migration (Keras 3 layers named for the old scopes): the Compare
# tests run A in TF1 mode and B in TF2 mode.
TF1_LAYERS = textwrap.dedent("""\
    import tensorflow as tf
    x = tf.placeholder(tf.float32, [None, 4])
    with tf.variable_scope("encoder"):
        h = tf.layers.dense(x, 8, name="dense")
    with tf.variable_scope("head"):
        y = tf.layers.dense(h, 2, name="dense")
    """)
TF2_LAYERS = textwrap.dedent("""\
    import tensorflow as tf
    encoder = tf.keras.layers.Dense(8, name="encoder")
    head = tf.keras.layers.Dense(2, name="head")
    y = head(encoder(tf.ones([1, 4])))
    """)
