"""The KPI registry: load ``kpis.yml``, validate it with clear errors, compile it to SQL views.

The file has three sections:

- ``dimensions``: the breakdowns a KPI may offer (country, channel, device, …);
- ``views``: SQL views created in ``marts`` (the reference ``vw_*`` names). A view with a
  ``date_column`` is a *source*: metric KPIs aggregate over it, and it lists the dimension
  columns it exposes (each dimension is a column of the same name);
- ``kpis``: a *metric* is an aggregate ``formula`` (optionally divided by a ``denominator``,
  computed in double precision so that both engines agree) over a source, filtered by an
  optional ``filter``; a *table* KPI is a whole ``select`` (cohort matrices, rankings, …),
  optionally with a ``date_column`` to filter its rows by.

Every KPI compiles to the view ``marts.kpi_<name>``; a metric's view is its daily series.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Literal

import sqlglot
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlglot import exp

REGISTRY_PATH = Path(__file__).resolve().parent / "kpis.yml"
NAME = re.compile(r"^[a-z][a-z0-9_]*$")
Grain = Literal["day", "week", "month"]
GRAINS: tuple[Grain, ...] = ("day", "week", "month")


class RegistryError(ValueError):
    """The registry file is invalid; the message lists every problem found."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dimension(_Strict):
    name: str
    label: str
    description: str


class View(_Strict):
    name: str
    description: str
    sql: str
    date_column: str | None = None
    dimensions: tuple[str, ...] = ()


class Kpi(_Strict):
    name: str
    label: str
    description: str
    group: Literal[
        "revenue", "customers", "funnel", "leakage", "profitability", "operations",
        "inventory", "demand", "marketing",
    ]  # fmt: skip
    kind: Literal["metric", "table"] = "metric"
    source: str | None = None
    formula: str
    denominator: str | None = None
    filter: str | None = None
    date_column: str | None = None
    date_grain: Grain = "day"
    unit: Literal["usd", "count", "units", "ratio", "days"]
    format: Literal["currency", "integer", "number", "percent", "days"]
    grains: tuple[Grain, ...] = ()
    dimensions: tuple[str, ...] = ()
    direction: Literal["higher_is_better", "lower_is_better", "neutral"]
    owner: str
    version: int = Field(ge=1)

    @property
    def view(self) -> str:
        return f"marts.kpi_{self.name}"

    def value_sql(self) -> str:
        """The aggregate expression of a metric (a ratio in double precision)."""
        if self.denominator is None:
            return self.formula.strip()
        return (
            f"cast({self.formula.strip()} as double precision) / "
            f"nullif(cast({self.denominator.strip()} as double precision), 0)"
        )


class Registry(_Strict):
    version: int
    dimensions: tuple[Dimension, ...]
    views: tuple[View, ...]
    kpis: tuple[Kpi, ...]

    def kpi(self, name: str) -> Kpi:
        for kpi in self.kpis:
            if kpi.name == name:
                return kpi
        known = ", ".join(k.name for k in self.kpis)
        raise RegistryError(f"unknown KPI {name!r}; known KPIs: {known}")

    def view(self, name: str) -> View:
        return next(view for view in self.views if view.name == name)

    def dimension_names(self) -> list[str]:
        return [d.name for d in self.dimensions]


def _location(raw: dict[str, object], loc: tuple[int | str, ...]) -> str:
    """``('kpis', 3, 'unit')`` -> ``kpi 'aov' (#4): unit``."""
    if len(loc) >= 2 and loc[0] in ("kpis", "views", "dimensions") and isinstance(loc[1], int):
        section = raw.get(str(loc[0]))
        entry = section[loc[1]] if isinstance(section, list) and loc[1] < len(section) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        rest = ".".join(str(part) for part in loc[2:]) or "(entry)"
        kind = str(loc[0]).rstrip("s")
        return f"{kind} {name!r} (#{loc[1] + 1}): {rest}"
    return ".".join(str(part) for part in loc) or "(file)"


def _parse(sql: str, what: str, errors: list[str]) -> exp.Expr | None:
    if ";" in sql.strip().rstrip(";"):
        errors.append(f"{what}: only one SQL statement is allowed")
        return None
    try:
        return sqlglot.parse_one(sql, read="postgres")
    except sqlglot.errors.ParseError as exc:
        first = str(exc).strip().splitlines()[0]
        errors.append(f"{what}: SQL does not parse: {first}")
        return None


def _check_names(kind: str, names: list[str], errors: list[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if not NAME.match(name):
            errors.append(f"{kind} {name!r}: names are lower-case snake_case (a-z, 0-9, _)")
        if name in seen:
            errors.append(f"{kind} {name!r}: defined twice")
        seen.add(name)


def _check_views(registry: Registry, errors: list[str]) -> None:
    dims = set(registry.dimension_names())
    for view in registry.views:
        where = f"view {view.name!r}"
        if not view.name.startswith("vw_"):
            errors.append(f"{where}: view names start with 'vw_'")
        tree = _parse(view.sql, where, errors)
        if tree is not None and not isinstance(tree, exp.Query):
            errors.append(f"{where}: sql must be a select statement")
        for dim in view.dimensions:
            if dim not in dims:
                errors.append(f"{where}: unknown dimension {dim!r} (declare it under dimensions)")
        if view.dimensions and view.date_column is None:
            errors.append(f"{where}: a view with dimensions needs a date_column")


def _check_metric(kpi: Kpi, registry: Registry, errors: list[str]) -> None:
    where = f"kpi {kpi.name!r}"
    sources = {v.name: v for v in registry.views if v.date_column}
    if kpi.source is None or kpi.source not in sources:
        listed = ", ".join(sorted(sources))
        errors.append(f"{where}: source {kpi.source!r} is not a view with a date_column ({listed})")
    else:
        offered = set(sources[kpi.source].dimensions)
        for dim in kpi.dimensions:
            if dim not in offered:
                errors.append(
                    f"{where}: dimension {dim!r} is not offered by {kpi.source} "
                    f"(it offers: {', '.join(sorted(offered)) or 'none'})"
                )
    if not kpi.grains:
        errors.append(f"{where}: a metric needs at least one grain (day, week, month)")
    if kpi.date_column is not None:
        errors.append(f"{where}: date_column belongs to table KPIs (a metric uses its source's)")
    for field, sql in (("formula", kpi.formula), ("denominator", kpi.denominator)):
        if sql is None:
            continue
        tree = _parse(f"select {sql}", f"{where}: {field}", errors)
        if tree is not None and tree.find(exp.AggFunc) is None:
            errors.append(
                f"{where}: {field} must aggregate (sum, count, …) so it can be computed "
                f"for any date range: {sql.strip()!r}"
            )
    if kpi.filter is not None:
        _parse(f"select 1 where {kpi.filter}", f"{where}: filter", errors)


def _check_table(kpi: Kpi, errors: list[str]) -> None:
    where = f"kpi {kpi.name!r}"
    for field in ("source", "denominator", "filter"):
        if getattr(kpi, field) is not None:
            errors.append(f"{where}: {field} is only for metric KPIs (this is kind: table)")
    if kpi.dimensions or kpi.grains:
        errors.append(f"{where}: table KPIs have no dimensions or grains (use their columns)")
    tree = _parse(kpi.formula, where, errors)
    if tree is not None and not isinstance(tree, exp.Query):
        errors.append(f"{where}: the formula of a table KPI is a select statement")


def validate(registry: Registry) -> None:
    """Cross-reference checks pydantic cannot do; raises ``RegistryError`` listing all."""
    errors: list[str] = []
    _check_names("dimension", registry.dimension_names(), errors)
    _check_names("view", [v.name for v in registry.views], errors)
    _check_names("kpi", [k.name for k in registry.kpis], errors)
    _check_views(registry, errors)
    dims = set(registry.dimension_names())
    for kpi in registry.kpis:
        if kpi.kind == "metric":
            _check_metric(kpi, registry, errors)
        else:
            _check_table(kpi, errors)
        for dim in kpi.dimensions:
            if dim not in dims:
                errors.append(f"kpi {kpi.name!r}: unknown dimension {dim!r}")
    if errors:
        raise RegistryError("invalid KPI registry:\n  - " + "\n  - ".join(errors))


def parse_registry(text: str, origin: str = "kpis.yml") -> Registry:
    """Parse and validate registry YAML text."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RegistryError(f"{origin} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise RegistryError(f"{origin}: expected a mapping with dimensions, views and kpis")
    raw = {key: value for key, value in raw.items() if not str(key).startswith("x-")}
    try:
        registry = Registry.model_validate(raw)
    except ValidationError as exc:
        lines = [f"{_location(raw, tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise RegistryError(
            f"invalid KPI registry {origin}:\n  - " + "\n  - ".join(lines)
        ) from None
    validate(registry)
    return registry


@functools.lru_cache(maxsize=4)
def load_registry(path: Path = REGISTRY_PATH) -> Registry:
    """The registry (cached); raises ``RegistryError`` with every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"cannot read the KPI registry {path}: {exc}") from exc
    return parse_registry(text, str(path.name))


def metric_view_sql(kpi: Kpi, registry: Registry) -> str:
    """The daily series of a metric: ``day, value``."""
    assert kpi.source is not None
    date = registry.view(kpi.source).date_column
    where = f"\nwhere {kpi.filter.strip()}" if kpi.filter else ""
    return (
        f"select {date} as day, {kpi.value_sql()} as value\n"
        f"from marts.{kpi.source}{where}\ngroup by {date}"
    )


def compile_views(registry: Registry) -> list[tuple[str, str]]:
    """``(marts.name, select)`` for every view, in creation order (views first)."""
    statements = [(f"marts.{view.name}", view.sql.strip().rstrip(";")) for view in registry.views]
    for kpi in registry.kpis:
        sql = metric_view_sql(kpi, registry) if kpi.kind == "metric" else kpi.formula.strip()
        statements.append((kpi.view, sql.rstrip(";")))
    return statements
