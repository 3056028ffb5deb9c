"""Every command of the CLI, including those registered later, answers --help cleanly."""

from __future__ import annotations

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from globalcart.cli import app

runner = CliRunner()


def _command_paths() -> list[list[str]]:
    root = get_command(app)
    paths: list[list[str]] = []

    def walk(command: object, prefix: list[str]) -> None:
        subcommands = getattr(command, "commands", {})
        for name, sub in subcommands.items():
            paths.append([*prefix, name])
            walk(sub, [*prefix, name])

    walk(root, [])
    return paths


def test_the_cli_has_the_foundation_commands() -> None:
    names = {" ".join(path) for path in _command_paths()}
    assert {"generate", "docs contract"} <= names


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p))
def test_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output
    assert "Traceback" not in result.output


def test_unknown_command_fails_clearly() -> None:
    result = runner.invoke(app, ["no-such-command"])
    assert result.exit_code != 0
    assert "No such command" in result.output
    assert isinstance(app, typer.Typer)
