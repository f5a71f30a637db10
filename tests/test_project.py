"""The project's promises about itself: CI runs the README's test command, exactly."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    blocks = re.findall(r"```\n(.*?)\n```", (ROOT / "README.md").read_text(), flags=re.S)
    return [b.strip() for b in blocks if b.strip().startswith("pip install")]


def test_readme_has_a_run_and_a_test_command() -> None:
    commands = readme_commands()
    assert "pip install . && lstm-stepper" in commands
    assert "pip install '.[test]' && pytest" in commands


def test_ci_runs_the_readme_test_command_exactly() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert "pip install '.[test]' && pytest" in ci


def test_the_readme_defines_every_symbol_of_the_glossary() -> None:
    """Every symbol on screen is defined in the help (from the glossary) and in the README's
    table, which lists each entry's symbols in one row."""
    from lstm_engine.glossary import GLOSSARY

    readme = (ROOT / "README.md").read_text()
    table = readme.split("#### Symbols", 1)[1].split("\n\n")[2]
    for entry in GLOSSARY:
        written = ", ".join(f"`{s}`" for s in entry.symbols).replace("|", "\\|")
        assert f"| {written} | {entry.group} |" in table, entry.symbols
