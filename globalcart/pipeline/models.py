"""Discover the SQL models, find their dependencies with sqlglot and order them topologically."""

from __future__ import annotations

import functools
import graphlib
from dataclasses import dataclass
from pathlib import Path

import sqlglot
from sqlglot import exp

from globalcart.engines.base import Dialect, WarehouseError
from globalcart.pipeline.validation import chk_models

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
LAYERS = {"staging": "staging", "dims": "dw", "facts": "dw", "marts": "marts"}


class ModelError(WarehouseError):
    """A model file cannot be parsed or the models form a cycle."""


@dataclass(frozen=True)
class Model:
    """One SQL model: ``schema.table`` built from a select statement."""

    name: str
    layer: str
    sql: str
    references: frozenset[str]
    path: Path | None = None

    @property
    def table(self) -> str:
        return self.name.split(".", 1)[1]


@functools.lru_cache(maxsize=512)
def referenced_tables(sql: str, dialect: Dialect, origin: str) -> frozenset[str]:
    """Schema-qualified tables a select reads (CTE names are unqualified and ignored)."""
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except sqlglot.errors.ParseError as exc:
        raise ModelError(f"cannot parse {origin}: {exc}") from exc
    return frozenset(
        f"{table.db}.{table.name}".lower() for table in tree.find_all(exp.Table) if table.db
    )


def discover(dialect: Dialect, sql_dir: Path = SQL_DIR) -> dict[str, Model]:
    """Every model: ``<layer>/*.sql`` files (``postgres/<layer>/`` overrides on PostgreSQL)
    plus the generated ``staging.chk_*`` validation models."""
    models: dict[str, Model] = {}
    for name, sql in chk_models(dialect).items():
        models[name] = Model(name, "validation", sql, referenced_tables(sql, dialect, name))
    for layer, schema in LAYERS.items():
        for path in sorted((sql_dir / layer).glob("*.sql")):
            override = sql_dir / "postgres" / layer / path.name
            if dialect == "postgres" and override.exists():
                path = override
            name = f"{schema}.{path.stem}"
            if name in models:
                raise ModelError(f"two models build {name}: {path} and {models[name].path}")
            sql = path.read_text(encoding="utf-8").strip().rstrip(";")
            models[name] = Model(name, layer, sql, referenced_tables(sql, dialect, str(path)), path)
    return models


def ordered(models: dict[str, Model]) -> list[Model]:
    """Models in dependency order (ties broken by name, so the order is stable)."""
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for name in sorted(models):
        sorter.add(name, *sorted(models[name].references & models.keys()))
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        raise ModelError(f"models form a cycle: {' -> '.join(exc.args[1])}") from exc
    result: list[Model] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        result.extend(models[name] for name in ready)
        sorter.done(*ready)
    return result


def upstream_sources(models: dict[str, Model]) -> dict[str, frozenset[str]]:
    """For every model, the non-model tables (e.g. ``landing.*``) it reads, transitively."""
    sources: dict[str, frozenset[str]] = {}
    for model in ordered(models):
        found = set(model.references - models.keys())
        for ref in model.references & models.keys():
            found |= sources[ref]
        sources[model.name] = frozenset(found)
    return sources


def upstream_models(models: dict[str, Model]) -> dict[str, frozenset[str]]:
    """For every model, the models it reads, transitively."""
    found: dict[str, frozenset[str]] = {}
    for model in ordered(models):
        direct = model.references & models.keys()
        closure = set(direct)
        for ref in direct:
            closure |= found[ref]
        found[model.name] = frozenset(closure)
    return found
