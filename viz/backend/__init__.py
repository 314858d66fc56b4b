"""Runs snippets in TensorFlow, and the processes around it (worker, dot); the rest is pure."""
