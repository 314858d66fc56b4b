"""The rooms' import rule (the core is pure, the backend knows no page, only the app knows the
UI), read from the source (every import statement, also those inside functions) and checked in
a fresh interpreter for what importing the core loads; and the linter's rules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

VIZ = Path(__file__).resolve().parents[1] / "viz"
# What each room may not import (a name forbids the module and everything under it).
FORBIDDEN = {
    "core": ("streamlit", "code_editor", "tensorflow", "keras", "tf_keras", "subprocess",
             "viz.backend", "viz.ui", "viz.cli"),
    "backend": ("streamlit", "code_editor", "viz.ui", "viz.cli"),
    "ui": ("tensorflow", "keras", "tf_keras", "subprocess", "viz.cli"),
    "notebook": ("streamlit", "code_editor", "tensorflow", "keras", "tf_keras", "subprocess",
                 "viz.ui", "viz.cli"),
    "explorer": ("streamlit", "tensorflow", "subprocess", "viz.core", "viz.backend", "viz.ui",
                 "viz.notebook", "viz.cli"),
}


def imported(path: Path) -> set[str]:
    """Every module an ``import`` or ``from ... import`` in the file names."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def breaks(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("room", sorted(FORBIDDEN))
def test_room_imports_nothing_forbidden(room: str) -> None:
    modules = sorted((VIZ / room).rglob("*.py"))
    assert modules, f"viz/{room} holds no modules"
    found = {f"{path.relative_to(VIZ)}: {name}" for path in modules
             for name in imported(path) if breaks(name, FORBIDDEN[room])}
    assert not found


def test_rule_catches_a_breach(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    import subprocess\n    from streamlit import x\n")
    assert {n for n in imported(module) if breaks(n, FORBIDDEN["core"])} == {
        "subprocess", "streamlit", "streamlit.x"}


def test_every_module_sits_in_a_room() -> None:
    """Outside the rooms: the package's lazy entry, ``python -m viz`` and the CLI."""
    assert sorted(p.name for p in VIZ.glob("*.py")) == ["__init__.py", "__main__.py", "cli.py"]


def test_importing_the_core_loads_no_backend() -> None:
    """``viz/__init__`` imports lazily: the pure modules come without processes or TF."""
    modules = [f"viz.core.{p.stem}" for p in sorted((VIZ / "core").glob("*.py"))
               if p.stem != "__init__"]
    check = (f"import sys\nimport {', '.join(modules)}\n"
             "print(sorted(m for m in ('subprocess', 'streamlit', 'tensorflow', 'viz.backend')"
             " if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                          check=True, cwd=VIZ.parent)
    assert done.stdout.strip() == "[]"


def test_the_package_still_offers_its_names() -> None:
    done = subprocess.run([sys.executable, "-c", "from viz import Executor, WorkerPool, Trace, "
                           "ErrorInfo; print(Executor.__module__, WorkerPool.__module__)"],
                          capture_output=True, text=True, check=True, cwd=VIZ.parent)
    assert done.stdout.split() == ["viz.backend.executor", "viz.backend.pool"]


def test_the_code_passes_its_linter() -> None:
    """ruff with the project's rule set (pyproject.toml): pycodestyle, pyflakes, import
    order, bugbear."""
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."],
                          capture_output=True, text=True, cwd=VIZ.parent, check=False)
    assert done.returncode == 0, done.stdout[-3000:]


def test_test_modules_have_names_of_their_own() -> None:
    """The test folders are no packages: two test files of one name cannot both be
    collected (pytest's "import file mismatch")."""
    names = [path.name for path in (VIZ.parent / "tests").rglob("test_*.py")]
    assert len(names) > 30 and len(names) == len(set(names))
