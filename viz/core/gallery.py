"""The example gallery: every file in examples/, titled from its docstring, the seed's first.

A clone has them at its top, ``examples/``; the installed package carries the same files as
``viz/examples`` (see pyproject.toml), so the app works outside the clone.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from viz.core.names import TF1, TF2

_INSTALLED = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES_DIR = _INSTALLED if _INSTALLED.is_dir() else _INSTALLED.parents[1] / "examples"


@dataclass(frozen=True)
class Example:
    """One example file: ``stem`` is what ``?example=`` names."""

    stem: str
    title: str
    explanation: str
    source: str


def _describe(stem: str, source: str) -> tuple[str, str]:
    try:
        docstring = ast.get_docstring(ast.parse(source)) or ""
    except SyntaxError:
        docstring = ""
    title, _, rest = docstring.partition("\n")
    return title.strip() or stem, " ".join(rest.split())


def load_gallery(directory: Path = EXAMPLES_DIR) -> list[Example]:
    """All examples, the seed's snippets first (in seed order), then by title."""
    examples = []
    for path in directory.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        title, explanation = _describe(path.stem, source)
        examples.append(Example(path.stem, title, explanation, source))
    return sorted(examples, key=lambda e: (not e.stem.startswith("seed"), e.stem if
                                           e.stem.startswith("seed") else e.title.lower()))


@dataclass(frozen=True)
class Gallery:
    """The examples of every mode (``by_mode[TF1]``...), looked up by stem across modes."""

    by_mode: dict[str, list[Example]]

    @property
    def examples(self) -> dict[str, Example]:
        return {e.stem: e for examples in self.by_mode.values() for e in examples}

    def mode_of(self, stem: str) -> str | None:
        return next((mode for mode, examples in self.by_mode.items()
                     if any(e.stem == stem for e in examples)), None)

    def first(self, mode: str) -> Example:
        return self.by_mode[mode][0]

    def is_example(self, source: str) -> bool:
        """Whether ``source`` is an example's text, unchanged."""
        return any(e.source == source for e in self.examples.values())


def load_galleries() -> Gallery:
    """The TF1 examples (examples/) and the TF2 ones (examples/tf2/)."""
    return Gallery({TF1: load_gallery(), TF2: load_gallery(EXAMPLES_DIR / "tf2")})
