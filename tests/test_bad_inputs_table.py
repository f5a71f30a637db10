"""The README's table of bad inputs: every row names a test that exists and checks it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def rows() -> list[tuple[str, str, str]]:
    table = README.split("<!-- bad inputs -->", 1)[1].split("\n\n", 1)[0]
    out = []
    for line in table.splitlines()[3:]:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        where, bad, seen, test = cells[0], cells[1], cells[2], cells[3]
        out.append((f"{where}: {bad}", seen, test.strip("`")))
    return out


def test_the_table_is_there_and_long() -> None:
    assert len(rows()) >= 30


@pytest.mark.parametrize(("row", "seen", "test"), rows(), ids=[r[0][:50] for r in rows()])
def test_each_row_names_a_test_that_exists(row: str, seen: str, test: str) -> None:
    name, _, function = test.partition("::")
    path = ROOT / "tests" / name
    assert path.exists(), (row, name)
    defined = {
        node.name
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    assert function in defined, (row, test)


def test_the_messages_quoted_are_the_codes() -> None:
    """Each quoted message's fixed words are in the engine or the dashboard's code."""
    code = "\n".join(
        p.read_text() for d in ("lstm_engine", "tui") for p in (ROOT / d).rglob("*.py")
    )
    for row, seen, _ in rows():
        for quoted in re.findall(r"`([^`]+)`", seen):
            words = [w for w in re.split(r"[^a-z]+", quoted.lower()) if len(w) > 4]
            for word in words[:4]:
                assert word in code.lower(), (row, quoted, word)
