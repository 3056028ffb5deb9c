"""The ``globalcart`` command line: thin Typer commands that call the library modules."""

from __future__ import annotations

from globalcart.cli.app import app
from globalcart.cli.generate import generate_command

app.command("generate")(generate_command)

__all__ = ["app"]
