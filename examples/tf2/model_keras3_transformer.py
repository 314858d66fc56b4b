"""A real Keras 3 model: a 13-block Transformer encoder, 214 variables, one of them lost.

Functional Keras 3 code as people write it. The layers are auto-named, so their names
(multi_head_attention_12, layer_normalization_25) count every layer of the class made before
them; the checkpoint keys (with ckpt_root) follow the attribute paths Keras builds instead:
_operations/<i> of the Functional model, never the layer names. The position embedding is
called on a constant, not on the model's input, so it is not part of the model: its table is
"untracked", and neither model.weights nor a checkpoint holds it (213 of 214).
"""
import keras
from keras import layers

VOCAB, LENGTH, WIDTH, HEADS, BLOCKS = 1000, 32, 64, 4, 13

tokens = keras.Input((LENGTH,), dtype="int32")
x = layers.Embedding(VOCAB, WIDTH)(tokens)
positions = layers.Embedding(LENGTH, WIDTH)(keras.ops.arange(LENGTH))
x = x + positions
for _ in range(BLOCKS):
    attended = layers.MultiHeadAttention(HEADS, WIDTH // HEADS)(x, x)
    x = layers.LayerNormalization()(x + attended)
    hidden = layers.Dense(4 * WIDTH, activation="gelu")(x)
    x = layers.LayerNormalization()(x + layers.Dense(WIDTH)(hidden))
logits = layers.Dense(VOCAB)(layers.LayerNormalization()(x))
model = keras.Model(tokens, logits)
print(len(model.weights), "variables")
ckpt_root = model
