"""ScopeViz where TF users work: ``viz.show``/``check``/``diff`` return results that display
themselves in a notebook (and as text in a terminal), and ``%load_ext viz`` gives the
``%%scopeviz`` cell magic. Every run happens in ScopeViz's worker, never in the kernel: the
kernel imports no TensorFlow for it, and a cell run twice cannot hit "already exists"."""
