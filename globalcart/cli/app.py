"""The Typer application object and the options every command shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from globalcart import __version__

if TYPE_CHECKING:
    from globalcart.engines import Warehouse

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    name="globalcart",
    help="GlobalCart: e-commerce analytics — synthetic store, warehouse, KPIs.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"globalcart {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_version_callback,
            is_eager=True,
            help="Show the version and exit.",
        ),
    ] = False,
) -> None:
    """GlobalCart: e-commerce analytics — synthetic store, warehouse, KPIs."""


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a clear error (no traceback) and return the Exit to raise."""
    err_console.print(f"[bold red]Error:[/] {message}")
    return typer.Exit(code)


docs_app = typer.Typer(help="Generate documentation from the code.", no_args_is_help=True)
app.add_typer(docs_app, name="docs")


@docs_app.command("contract")
def docs_contract(
    out: Annotated[str, typer.Option(help="File to write ('-' for standard output).")] = "-",
) -> None:
    """Write the landing data contract as Markdown (docs/data_contract.md)."""
    from pathlib import Path

    from globalcart.contract_docs import contract_markdown

    text = contract_markdown()
    if out == "-":
        console.print(text, markup=False, highlight=False, soft_wrap=True)
    else:
        Path(out).write_text(text)


DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="Warehouse URL (default: GLOBALCART_DATABASE_URL setting)."),
]


@contextmanager
def open_warehouse(database: str | None) -> Iterator[Warehouse]:
    """The warehouse at ``database`` (or the configured URL); a clear error if unreachable."""
    from globalcart.config import get_settings
    from globalcart.engines import WarehouseError, connect

    try:
        warehouse = connect(database or get_settings().database_url)
    except WarehouseError as exc:
        raise fail(str(exc)) from None
    try:
        yield warehouse
    finally:
        warehouse.close()
