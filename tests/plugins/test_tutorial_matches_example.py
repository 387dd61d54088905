"""The write-a-module tutorial quotes the tested example module, and every quoted line still exists.

Each ```python and ```toml block of docs/tutorial-write-a-module.md starts with a comment naming the
file it quotes: a path inside plugins_contrib/loom_partner_rating/, or from the repository root for
the test script under tests/. Every other non-empty line of the block, except the elision ``...``,
must be a line of that file, indentation included. Lines may be left out between quoted ones.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
TUTORIAL = REPO / "docs" / "tutorial-write-a-module.md"
EXAMPLE = REPO / "plugins_contrib" / "loom_partner_rating"
BLOCK = re.compile(r"^```(python|toml)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
SOURCE = re.compile(r"# ([\w./-]+)")


def quoted_blocks() -> list[tuple[str, list[str]]]:
    """(file named on the first line, the quoted lines) for every python and toml block."""
    blocks = []
    for match in BLOCK.finditer(TUTORIAL.read_text("utf-8")):
        first, *lines = match.group(2).splitlines()
        named = SOURCE.fullmatch(first)
        blocks.append((named.group(1) if named else f"<no file named: {first!r}>", lines))
    return blocks


def source_file(name: str) -> Path:
    """The file a block names: inside the example distribution, else from the repository root."""
    inside = EXAMPLE / name
    return inside if inside.is_file() else REPO / name


BLOCKS = quoted_blocks()


def test_every_code_block_names_an_existing_file() -> None:
    assert len(BLOCKS) >= 10  # the pattern still finds the tutorial's blocks
    assert [name for name, _ in BLOCKS if not source_file(name).is_file()] == []


def test_every_file_of_the_example_module_is_quoted() -> None:
    files = {str(p.relative_to(EXAMPLE)) for p in EXAMPLE.rglob("*")
             if p.suffix in (".py", ".toml") and "__pycache__" not in p.parts and "build" not in p.parts}
    assert files - {name for name, _ in BLOCKS} == set()


@pytest.mark.parametrize(("name", "lines"), BLOCKS, ids=[f"{i}-{name}" for i, (name, _) in enumerate(BLOCKS)])
def test_quoted_lines_exist_in_their_file(name: str, lines: list[str]) -> None:
    path = source_file(name)
    present = {line.rstrip() for line in path.read_text("utf-8").splitlines()} if path.is_file() else set()
    missing = [line for line in lines if line.strip() and line.strip() != "..." and line.rstrip() not in present]
    assert missing == [], f"lines quoted from {name} that it no longer has"
