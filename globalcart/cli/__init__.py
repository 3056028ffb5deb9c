"""The ``globalcart`` command line: thin Typer commands that call the library modules."""

from __future__ import annotations

from globalcart.cli.analytics import analytics_app
from globalcart.cli.app import app, docs_app
from globalcart.cli.generate import generate_command
from globalcart.cli.kpis import docs_kpis_command, kpis_command, snapshot_command
from globalcart.cli.serve import serve_command
from globalcart.cli.users import users_app
from globalcart.cli.warehouse import build_command, load_command, pipeline_command, status_command

app.command("generate")(generate_command)
app.command("load")(load_command)
app.command("build")(build_command)
app.command("pipeline")(pipeline_command)
app.command("status")(status_command)
app.command("kpis")(kpis_command)
app.command("snapshot")(snapshot_command)
docs_app.command("kpis")(docs_kpis_command)
app.command("serve")(serve_command)
app.add_typer(users_app, name="users")
app.add_typer(analytics_app, name="analytics")

__all__ = ["app"]
