"""The seed notebook, examples/seed_notebook.ipynb, executed by nbclient in a real Jupyter
kernel: its three ``%%scopeviz --cells`` cells print the seed's output, byte for byte, and the
last one says 16 variables."""

from __future__ import annotations

from typing import Any

import nbformat
from nbclient import NotebookClient
from support import EXAMPLES, GOLDENS, ROOT


def executed() -> Any:
    notebook = nbformat.read(EXAMPLES / "seed_notebook.ipynb", as_version=4)
    for code in notebook.cells:
        if code.cell_type == "code":
            code.outputs = []
    NotebookClient(notebook, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    return notebook


def test_the_seed_notebook_runs_in_a_kernel_as_the_seed_did() -> None:
    notebook = executed()
    magic_cells = [c for c in notebook.cells if c.cell_type == "code"
                   and c.source.startswith("%%scopeviz --cells\n")]
    assert len(magic_cells) == 3
    printed = "".join(output.text for code in magic_cells for output in code.outputs
                      if output.output_type == "stream" and output.name == "stdout")
    assert printed == (GOLDENS / "seed_notebook.stdout").read_text(encoding="utf-8")
    shown = [o.data for o in magic_cells[-1].outputs if o.output_type == "display_data"]
    assert shown[0]["text/plain"] == ("16 variables: 11 created, 5 uniquified (nsc1_1/v4:0, "
                                      "conv1_weights_1:0, ...), 4 reuses")
    assert "16 variables: 11 created" in shown[0]["text/html"]
    # the explorer where widgets run, the drawing where they do not (GitHub, nbviewer)
    (graph,) = [data for data in shown if "application/vnd.jupyter.widget-view+json" in data]
    assert "<title>image_filters/conv1/weights:0</title>" in graph["image/svg+xml"]
    assert "image_filters/conv1/weights:0" in shown[-1]["text/html"]  # the variables table
    assert not [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
                if o.output_type == "error"]
