"""Runs snippets in TensorFlow and the processes around it (worker, dot); the rest of viz is pure."""
