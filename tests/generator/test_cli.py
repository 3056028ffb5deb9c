"""The generate command: help, a real run, and clear errors for bad arguments."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globalcart import __version__
from globalcart.cli import app

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.output


@pytest.mark.parametrize("command", [[], ["generate"]])
def test_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output


def test_generate_help_lists_every_option() -> None:
    output = runner.invoke(app, ["generate", "--help"], terminal_width=200).output
    for option in (
        "--scale",
        "--orders",
        "--seed",
        "--end-date",
        "--days",
        "--out",
        "--format",
        "--bad-rate",
        "--incremental",
        "--from",
    ):
        assert option in output


def test_generate_writes_files_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "landing"
    result = runner.invoke(app, ["generate", "--orders", "200", "--days", "60", "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["parameters"]["orders"] == 200
    assert "orders" in result.output and "manifest.json" in result.output
    again = runner.invoke(app, ["generate", "--orders", "200", "--out", str(out)])
    assert again.exit_code != 0 and "--overwrite" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale", "huge"], "unknown scale"),
        (["--bad-rate", "5"], "--bad-rate"),
        (["--end-date", "31/12/2025"], "YYYY-MM-DD"),
        (["--orders", "0"], "--orders"),
        (["--format", "xml"], "--format"),
        (["--incremental"], "--from"),
        (["--days", "-3"], "--days"),
    ],
)
def test_bad_arguments_fail_clearly(tmp_path: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["generate", "--out", str(tmp_path / "x"), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_incremental_from_a_folder_without_state(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["generate", "--incremental", "--from", str(tmp_path), "--out", str(tmp_path / "next")]
    )
    assert result.exit_code != 0
    assert "no generator state" in result.output
    assert "Traceback" not in result.output
