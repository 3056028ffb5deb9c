"""The ``globalcart`` command line: thin Typer commands that call the library modules."""

from __future__ import annotations

from globalcart.cli.analytics import analytics_app
from globalcart.cli.app import app, docs_app
from globalcart.cli.generate import generate_command
from globalcart.cli.importers import import_app
from globalcart.cli.kpis import docs_kpis_command, kpis_command, snapshot_command
from globalcart.cli.refresh import refresh_command, simulate_command
from globalcart.cli.reports import docs_bi_command, export_command, report_app
from globalcart.cli.serve import serve_command
from globalcart.cli.users import users_app
from globalcart.cli.warehouse import (
    build_command,
    ingest_app_command,
    load_command,
    pipeline_command,
    status_command,
)

app.command("generate")(generate_command)
app.command("load")(load_command)
app.command("ingest-app")(ingest_app_command)
app.command("build")(build_command)
app.command("pipeline")(pipeline_command)
app.command("status")(status_command)
app.command("kpis")(kpis_command)
app.command("snapshot")(snapshot_command)
docs_app.command("kpis")(docs_kpis_command)
app.command("serve")(serve_command)
app.command("refresh")(refresh_command)
app.command("simulate")(simulate_command)
app.add_typer(users_app, name="users")
app.add_typer(analytics_app, name="analytics")
app.add_typer(report_app, name="report")
app.command("export")(export_command)
docs_app.command("bi")(docs_bi_command)
app.add_typer(import_app, name="import")

__all__ = ["app"]
