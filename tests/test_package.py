"""The package as a user gets it: ``pip install .`` into a fresh virtual environment gives the
``scopeviz`` command, the examples and the app, used from a folder that is not the clone."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from support import ROOT, example_paths, load_trace

from viz.cli import streamlit_flags

SEED = "seed_1_name_scope_vs_variable_scope"


def test_the_dependencies_allow_the_pinned_set() -> None:
    """pyproject.toml's dependencies name what requirements.txt pins, and every pin
    satisfies them."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = {Requirement(text).name: Requirement(text).specifier
              for text in project["dependencies"]}
    pins = dict(re.match(r"([\w.-]+)==(\S+)", line).groups()
                for line in (ROOT / "requirements.txt").read_text().splitlines()
                if line and not line.startswith("#"))
    assert set(wanted) == set(pins)
    assert all(wanted[name].contains(version) for name, version in pins.items())


def test_the_installed_app_gets_the_clones_streamlit_settings() -> None:
    flags = streamlit_flags(tomllib.loads(
        (ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8")))
    assert {"--server.address=127.0.0.1", "--runner.postScriptGC=false",
            "--server.maxUploadSize=32", "--theme.dark.paddingTop=0"} <= set(flags)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with a copy of this tree installed (pip builds in the tree it is given:
    the copy keeps the clone clean); returns the venv's bin folder."""
    where = tmp_path_factory.mktemp("package")
    source = where / "scopeviz"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "__pycache__", "screenshots", ".stress", ".pytest_cache"))
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", str(source)], check=True)
    shutil.rmtree(source)  # nothing of the tree is used from here on
    return venv / "bin"


def test_scopeviz_help_names_every_command(installed: Path, tmp_path: Path) -> None:
    done = subprocess.run([str(installed / "scopeviz"), "--help"], cwd=tmp_path,
                          capture_output=True, text=True, check=True)
    assert done.stdout.startswith("usage: scopeviz ")
    assert "{app,trace,check-checkpoint,diff}" in done.stdout


def test_scopeviz_trace_writes_json_from_another_folder(installed: Path, tmp_path: Path) -> None:
    snippet = tmp_path / "mine" / "snippet.py"
    snippet.parent.mkdir()
    shutil.copy(ROOT / "examples" / f"{SEED}.py", snippet)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = subprocess.run([str(installed / "scopeviz"), "trace", str(snippet), "--format",
                           "json"], cwd=elsewhere, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [v["name"] for v in report["variables"]] == [
        v.name for v in load_trace(SEED).variables]
    assert report["ok"] is True


def test_scopeviz_app_serves_the_app_with_its_examples(installed: Path, tmp_path: Path) -> None:
    """``scopeviz app`` answers, and the page script it serves, run from the installed package,
    loads an example from the package (no clone around) and draws it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(installed / "scopeviz"), "app", "--port", str(port)],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None and time.monotonic() < deadline, "the app did not start"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health",
                                            timeout=2) as answer:
                    assert answer.read() == b"ok"
                    break
            except OSError:
                time.sleep(0.3)
    finally:
        server.terminate()
        server.wait(timeout=30)
    check = f"""
import json
from pathlib import Path
from streamlit.testing.v1 import AppTest
import viz.ui.main
from viz.core.gallery import EXAMPLES_DIR
at = AppTest.from_file(viz.ui.main.__file__, default_timeout=180)
at.query_params["example"] = {SEED!r}
at.run()
svg = "".join(json.loads(g.proto.json).get("svg", "") for g in at.get("bidi_component"))
print(json.dumps({{"examples": str(EXAMPLES_DIR), "count": len(list(EXAMPLES_DIR.glob("*.py"))),
                  "exception": [str(e.value) for e in at.exception], "svg": svg}}))
"""
    done = subprocess.run([str(installed / "python"), "-c", check], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout.splitlines()[-1])
    assert page["examples"].startswith(str(installed.parent)) and page["count"] == len(
        example_paths())
    assert page["exception"] == []
    assert all(f"<title>{v.name}</title>" in page["svg"] for v in load_trace(SEED).variables)


def test_the_installed_package_runs_a_notebook_cell(installed: Path, tmp_path: Path) -> None:
    """The magic's parts come with the package: the explorer's front end for the widget, and
    ``viz.show`` running in the installed worker."""
    check = ("import viz\nfrom viz.notebook.widget import ESM\n"
             "shown = viz.show(\"v = tf.Variable(1, name='v')\\n\")\n"
             "print(shown.verdict, 'function drawGraph(' in ESM,\n"
             "      '<title>v:0</title>' in shown.svg)")
    done = subprocess.run([str(installed / "python"), "-c", check], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "1 variable: 1 created, 0 uniquified, 0 reuses True True"
