"""The README documents every command and option, and the public API is curated."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import objector
from objector.cli import _parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    for action in _parser()._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("no subcommands")


def test_every_command_and_option_is_in_the_readme() -> None:
    for name, sub in _subparsers().items():
        assert f"objector {name}" in README, name
        for action in sub._actions:
            if action.help == argparse.SUPPRESS:
                continue
            long_opts = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
            for opt in long_opts:
                assert opt in README, f"{name} {opt}"


def test_readme_names_the_two_commands_ci_runs() -> None:
    assert "bash scripts/dev.sh demo" in README and "bash scripts/dev.sh test" in README
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text()
    assert "scripts/dev.sh test" in ci


def test_public_api_is_sorted_and_complete() -> None:
    assert objector.__all__ == sorted(objector.__all__)
    for name in objector.__all__:
        assert hasattr(objector, name), name


def test_every_module_has_a_docstring() -> None:
    root = Path(objector.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert re.match(r'^"""[^\n]+', source), path
