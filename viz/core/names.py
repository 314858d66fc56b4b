"""TensorFlow's naming vocabulary as plain functions and constants, shared by both modes:
the statuses, the modes, op names, scope paths, ``_N`` numbers, checkpoint key suffixes."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

TF1, TF2 = "tf1", "tf2"
KERAS3, TF_KERAS = "keras3", "tf_keras"
SCHEMA = 1  # of the JSON ``python -m viz trace --format json`` prints

CREATED = "created"
REUSED = "reused"
UNIQUIFIED = "uniquified"
STATUSES = (CREATED, REUSED, UNIQUIFIED)
# Not a status: what the legend and the drawing call an optimizer's or a moving average's
# variable (``w/Adam``, ``w/Adam_1``), whatever its status.
SLOT = "slot"

def op_name(variable_name: str) -> str:
    """Strips the output index: ``nsc1_1/v4:0`` -> ``nsc1_1/v4``."""
    return variable_name.rsplit(":", 1)[0] if ":" in variable_name else variable_name


def small_count(text: str) -> int | None:
    """``text`` as a count when it is 1 to 9 ASCII digits, else None: ``str.isdigit`` also
    takes ``²`` and 5,000 digits, which ``int()`` then refuses (a ValueError in the page)."""
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def parent_path(path: str) -> str:
    """The scope a path sits in: ``a/b/w`` -> ``a/b``; the root is ``""``."""
    return path.rsplit("/", 1)[0] if "/" in path else ""


def shape_text(shape: list[int | None]) -> str:
    """``[5, 5, ?, 32]``: a variable's shape as people read it (? for an unknown size)."""
    return "[" + ", ".join("?" if d is None else str(d) for d in shape) + "]"


def in_graph(graph: int, path: str) -> str:
    """A path made distinct across graphs: the run's own graph (0) keeps its paths, another
    ``tf.Graph`` the snippet built gets ``(graph N)/`` in front (no TF name holds a
    parenthesis, so it never meets a real scope)."""
    return path if graph == 0 else f"(graph {graph})/{path}" if path else f"(graph {graph})"


def join_scope(parent: str, name: str) -> str:
    """Joins scope paths the way TF does: an empty parent means the root."""
    return f"{parent}/{name}" if parent else name


def _numbered(asked: str, given: str) -> bool:
    """``given`` is ``asked`` or ``asked_N``: what TF's uniquifying does to one path part."""
    if given == asked:
        return True
    head, _, number = given.rpartition("_")
    return head == asked and number.isdigit()


_NUMBER = re.compile(r"_[0-9]+$")
# The end of a TF2 object-based checkpoint's key for a variable's value.
TF2_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"


def unnumbered(path: str) -> str:
    """A path without TF's ``_N`` numbers on its parts: ``dense_1/kernel`` -> ``dense/kernel``."""
    return "/".join(_NUMBER.sub("", part) for part in path.split("/"))


def object_path(key: str) -> str:
    """The attribute path a TF2 checkpoint key stands for: the key without
    ``/.ATTRIBUTES/VARIABLE_VALUE`` (any other key as it is)."""
    return key[:-len(TF2_SUFFIX)] if key.endswith(TF2_SUFFIX) else key


def lines_text(numbers: list[int | None]) -> str:
    """``line 4``, ``lines 2, 4 and 5`` or ``lines unknown``: the known lines, each once."""
    known = sorted({n for n in numbers if n is not None})
    if not known:
        return "lines unknown"
    return f"line {known[0]}" if len(known) == 1 else \
        "lines " + ", ".join(map(str, known[:-1])) + f" and {known[-1]}"


def variable_status(requested: str, name: str) -> str:
    """Returns ``uniquified`` when TF appended ``_N`` to the path asked for, to the name or
    to a scope on the way; a name that differs otherwise was chosen by the code itself (a
    custom getter that renames), so the variable is ``created``, under that name.

    Args:
        requested: the path the code asked for, scopes joined as written (``nsc1/v4``).
        name: the variable's final name (``nsc1_1/v4:0``).
    """
    given = op_name(name)
    if requested == given:
        return CREATED
    asked_parts, given_parts = requested.split("/"), given.split("/")
    if len(asked_parts) == len(given_parts) and all(
            _numbered(a, g) for a, g in zip(asked_parts, given_parts)):
        return UNIQUIFIED
    return CREATED


def public(event: Any) -> dict[str, Any]:
    """An event's fields as the JSON gives them: all but its ``kind``."""
    data = asdict(event)
    data.pop("kind")
    return data
