"""The ``globalcart`` command line: thin Typer commands that call the library modules."""

from __future__ import annotations

from globalcart.cli.app import app
from globalcart.cli.generate import generate_command
from globalcart.cli.warehouse import build_command, load_command, pipeline_command, status_command

app.command("generate")(generate_command)
app.command("load")(load_command)
app.command("build")(build_command)
app.command("pipeline")(pipeline_command)
app.command("status")(status_command)

__all__ = ["app"]
