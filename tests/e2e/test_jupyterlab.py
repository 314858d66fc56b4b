"""The seed notebook in a real JupyterLab (served on 127.0.0.1, opened in Debian's Chromium):
run, its ``%%scopeviz --cells`` cells draw the graph in the explorer widget, a click on a box
opens its card (answered by the kernel), and every text of the outputs reads at WCAG AA in
the light and the dark theme (screenshots)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from typing import Iterator

import nbformat
import pytest
from browser_support import SCREENSHOTS, TEXT_CONTRASTS, expect_page
from support import EXAMPLES, ROOT, free_port

THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
# Every element of the cells' outputs holding text of its own, shown (not the SVG labels).
OUTPUT_TEXTS = """() => [...document.querySelectorAll('.jp-OutputArea-output *')].filter(e =>
    !e.closest('svg') && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
    && e.getBoundingClientRect().width > 0)"""


@pytest.fixture(scope="module")
def jupyter_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """JupyterLab on a free port with a copy of the seed notebook, its outputs cleared; its
    kernels import viz from this clone. Returns the notebook's address."""
    folder = tmp_path_factory.mktemp("lab")
    notebook = nbformat.read(EXAMPLES / "seed_notebook.ipynb", as_version=4)
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, folder / "seed_notebook.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    home = folder / "home"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(home),
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    # No question about Jupyter's news over the outputs.
    notification = home / "settings" / "@jupyterlab" / "apputils-extension"
    notification.mkdir(parents=True)
    (notification / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    log = (folder / "lab.log").open("wb")
    lab = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
         f"--port={port}", f"--IdentityProvider.token={token}", f"--notebook-dir={folder}",
         "--allow-root", "--expose-app-in-browser", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}",
                                        timeout=2) as reply:
                json.load(reply)
                break
        except OSError:
            if time.monotonic() > deadline or lab.poll() is not None:
                lab.kill()
                raise RuntimeError((folder / "lab.log").read_text()[-3000:]) from None
            time.sleep(0.3)
    yield f"http://127.0.0.1:{port}/lab/tree/seed_notebook.ipynb?token={token}"
    lab.terminate()  # asks its kernels to stop first: it may take a while
    try:
        lab.wait(timeout=60)
    except subprocess.TimeoutExpired:
        lab.kill()
        lab.wait()
    log.close()


def run_all(page: object) -> None:
    expect_page(page, "() => window.jupyterapp && document.querySelector('.jp-Notebook') "
                      "&& document.querySelector('.jp-Notebook .jp-Cell')", "the notebook")
    expect_page(page, """() => { const panel = window.jupyterapp.shell.currentWidget;
        return panel && panel.sessionContext && panel.sessionContext.session
            && panel.sessionContext.session.kernel
            && panel.sessionContext.session.kernel.status === 'idle'; }""", "an idle kernel")
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


@pytest.mark.parametrize("theme", list(THEMES))
def test_the_seed_notebook_draws_its_graph_in_jupyterlab(browser: object, jupyter_lab: str,
                                                        theme: str) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768},
                                  color_scheme="dark" if theme == "dark" else "light")
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.goto(jupyter_lab)
    expect_page(page, "() => window.jupyterapp && window.jupyterapp.commands.hasCommand("
                      "'apputils:change-theme') && window.jupyterapp.commands.hasCommand("
                      "'notebook:run-all-cells')", "the app's commands")
    page.evaluate(f"() => window.jupyterapp.commands.execute('apputils:change-theme', "
                  f"{{theme: {THEMES[theme]!r}}})")
    expect_page(page, f"() => document.body.dataset.jpThemeLight === "
                      f"{'true' if theme == 'light' else 'false'!r}", f"the {theme} theme")
    run_all(page)
    # Three explorers, the last one with the shared variables of the third cell.
    expect_page(page, """() => { const graphs = document.querySelectorAll(
            '.scopeviz-widget .sv-stage svg');
        return graphs.length === 3 && [...graphs[2].querySelectorAll('g.node > title')].some(
            t => t.textContent === 'image_filters/conv1/weights:0'); }""", "three graphs")
    verdict = page.get_by_text("16 variables: 11 created, 5 uniquified")
    verdict.evaluate("element => element.scrollIntoView({block: 'start'})")
    assert verdict.is_visible()
    graph = page.locator(".scopeviz-widget").nth(2)
    page.screenshot(path=str(SCREENSHOTS / f"jupyterlab_seed_1366x768_{theme}.png"))
    # A click on a box: the kernel answers with its card.
    box = graph.locator("g.node", has=page.locator("title", has_text="image_filters/conv1/"
                                                                      "weights:0")).first
    box.click()
    card = graph.locator(".sv-card")
    card.wait_for()
    assert "image_filters/conv1/weights" in card.locator("h3").inner_text()
    # lines as the notebook counts them (its line 1 is the magic)
    assert "cell 3, line 11" in card.inner_text() and "cell 3, line 31" in card.inner_text()
    page.screenshot(path=str(SCREENSHOTS / f"jupyterlab_card_1366x768_{theme}.png"))
    texts = page.evaluate_handle(OUTPUT_TEXTS)
    ratios = page.evaluate(f"([elements]) => {{ const r = ({TEXT_CONTRASTS})(elements); "
                           f"return elements.map((e, i) => [r[i], e.textContent.trim()"
                           f".slice(0, 40)]); }}", [texts])
    assert len(ratios) > 50  # the verdict, legend, tables, printed output, toolbar, card
    assert [(round(r, 2), text) for r, text in ratios if r < 4.5] == []
    context.close()
