"""TF's naming vocabulary (viz.core.names): what counts as uniquified."""

from __future__ import annotations

import pytest

from viz.core.names import variable_status


@pytest.mark.parametrize("requested, name, status", [
    ("nsc1/v4", "nsc1_1/v4:0", "uniquified"),
    ("conv1_weights", "conv1_weights_1:0", "uniquified"),
    ("Variable", "Variable_1:0", "uniquified"),
    ("dense/kernel", "dense_1/kernel:0", "uniquified"),
    ("w_1", "w_1:0", "created"),
    ("vsc1/v3", "vsc1/v3:0", "created"),
    ("layer/c", "layer_1/c:0", "uniquified"),
    ("s/one_name", "forced_name:0", "created"),  # a custom getter's own choice
    ("s/w", "s/w_ema:0", "created"),
    ("a/b", "a_x/b:0", "created"),
])
def test_variable_status(requested: str, name: str, status: str) -> None:
    assert variable_status(requested, name) == status
