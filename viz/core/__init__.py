"""Pure core: the trace model and everything computed from it (tree, view, DOT, tables,
explanations, checks, diffs). Imports no Streamlit, no TensorFlow, no ``subprocess`` and
nothing of :mod:`viz.backend` (``tests/test_rooms.py`` holds the rule)."""
