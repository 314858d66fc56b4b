"""The example gallery: every file in examples/, titled from its docstring, the seed's first."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"


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
