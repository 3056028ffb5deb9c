"""Ingest the storefront (``app.*``) as one more source: new and changed rows, by watermark.

An ingest appends the app rows changed since the last ingest to ``landing.*`` (mapped to the
contract by ``app_mapping``) and records them in ``ops.loaded_files`` under a load run, so the
next incremental ``build`` takes them like any landing file. Sources never write into dw.

Nothing is lost when rows commit out of order: a watched table is rescanned from its watermark
(the latest change time seen) minus an overlap window, so a checkout that took its timestamp
before the last ingest but committed after it is still found. Re-reading is harmless: a row is
appended only when its content differs from the last version sent (``ops.app_sent`` keeps a
hash per row), so an ingest with nothing new appends nothing and starts no run.

The ingest is one transaction over one snapshot of the app tables (PostgreSQL: repeatable read,
after a table lock that also serialises concurrent ingests; DuckDB: a transaction is a snapshot,
and a process lock serialises ingests).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from globalcart import contract
from globalcart.engines.base import Warehouse, WarehouseError
from globalcart.pipeline.app_mapping import (
    APP_ID_BASE,
    ID_SOURCES,
    STATUSES,
    WATCHED,
    candidates,
    mapped,
)
from globalcart.pipeline.runs import finish_run, start_run

DEFAULT_OVERLAP = dt.timedelta(minutes=2)
RUN_MODE = "app"
MARK_PREFIX = "app."
_BEGINNING = dt.datetime(1900, 1, 1)
_DUCKDB_LOCK = threading.Lock()


class AppSourceError(WarehouseError):
    """The storefront cannot be ingested (no app schema, or rows the contract cannot hold)."""


@dataclass
class AppIngestResult:
    """Rows appended per landing table; ``run_id`` is None when nothing was new."""

    run_id: int | None
    rows: dict[str, int] = field(default_factory=dict)
    ingested_at: dt.datetime | None = None

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def app_tables(warehouse: Warehouse) -> set[str]:
    """The storefront tables this database holds (``app.<name>``), in one catalog query."""
    rows = warehouse.query(
        "select table_name from information_schema.tables where table_schema = 'app'"
    )
    return {f"app.{row[0]}" for row in rows}


def app_schema_exists(warehouse: Warehouse, tables: set[str] | None = None) -> bool:
    """Whether this database holds the storefront's operational tables."""
    tables = app_tables(warehouse) if tables is None else tables
    return {"app.schema_migrations", "app.events"} <= tables


def source_file(table: str, run_id: int) -> str:
    """``source_file`` of the rows of one landing table appended by one ingest run."""
    return f"app:{table}:{run_id}"


def ingest_app(
    warehouse: Warehouse,
    *,
    overlap: dt.timedelta = DEFAULT_OVERLAP,
    tables: set[str] | None = None,
) -> AppIngestResult:
    """Append the storefront rows changed since the last ingest to ``landing.*``.

    ``tables``: ``app_tables(warehouse)`` when the caller has just read it. Raises
    ``AppSourceError`` (after rolling back; the failed run is recorded in ``ops.runs``).
    """
    if overlap < dt.timedelta(0):
        raise AppSourceError("the overlap window cannot be negative")
    tables = app_tables(warehouse) if tables is None else tables
    if not app_schema_exists(warehouse, tables):
        raise AppSourceError(
            "this database has no storefront schema (app.*); run `globalcart serve` once "
            "or create it with globalcart.store.migrate_app"
        )
    if "app.shipments" not in tables:
        raise AppSourceError(
            "the storefront schema (app.*) predates deliveries and refunds; upgrade it by "
            "running `globalcart serve` once or globalcart.store.migrate_app"
        )
    lock: AbstractContextManager[object] = (
        _DUCKDB_LOCK if warehouse.dialect == "duckdb" else nullcontext()
    )
    try:
        with lock, warehouse.transaction():
            return _ingest(warehouse, overlap)
    except WarehouseError as exc:
        run_id = start_run(warehouse, "load", RUN_MODE)
        finish_run(warehouse, run_id, "failed", error=str(exc)[:2000])
        if isinstance(exc, AppSourceError):
            raise
        raise AppSourceError(f"storefront ingest failed and was rolled back: {exc}") from exc


def _ingest(warehouse: Warehouse, overlap: dt.timedelta) -> AppIngestResult:
    if warehouse.dialect == "postgres":
        # before the first query, so that the snapshot is taken once the lock is held
        warehouse.execute("set transaction isolation level repeatable read")
        warehouse.execute("lock table ops.app_ids in share row exclusive mode")
    marks = _stored_marks(warehouse)
    since = {w.table: marks[w.table] - overlap if w.table in marks else _BEGINNING for w in WATCHED}
    seen = _latest_changes(warehouse, since, marks)
    temps = []
    for name, sql, params in candidates(since):
        _create_temp(warehouse, name, sql, params)
        if warehouse.dialect == "postgres":  # temp tables have no statistics until analysed
            warehouse.execute(f"analyze {name}")
        temps.append(name)
    _check_statuses(warehouse)
    for kind, sql in ID_SOURCES.items():
        _assign_ids(warehouse, kind, sql)
    result = AppIngestResult(run_id=None)
    for table, sql in mapped(warehouse.dialect).items():
        _stage(warehouse, table, sql)
        temps.append(_staged(table))
    result.rows = _staged_counts(warehouse, list(mapped(warehouse.dialect)))
    if result.total:
        result.run_id = start_run(warehouse, "load", RUN_MODE)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        # extraction cannot precede the rows it extracts (the shop's clock may run ahead)
        result.ingested_at = max([now, *seen.values()])
        _publish(warehouse, result.rows, result.run_id, result.ingested_at)
        finish_run(warehouse, result.run_id, "success")
    _save_marks(warehouse, {t: v for t, v in seen.items() if marks.get(t) != v})
    _drop_temps(warehouse, temps)
    return result


def _stored_marks(warehouse: Warehouse) -> dict[str, dt.datetime]:
    names = [w.table for w in WATCHED]
    rows = warehouse.query(
        f"select name, value from ops.watermarks where name in ({', '.join('?' for _ in names)})",
        names,
    )
    return {str(name): dt.datetime.fromisoformat(str(value)) for name, value in rows}


def _latest_changes(
    warehouse: Warehouse, since: dict[str, dt.datetime], marks: dict[str, dt.datetime]
) -> dict[str, dt.datetime]:
    """New watermark per watched table: the latest change time seen (never moving back)."""
    rows = warehouse.query(
        " union all ".join(
            f"select {i} as n, max({w.column}) from {w.table} where {w.column} >= ?"
            for i, w in enumerate(WATCHED)
        ),
        [since[w.table] for w in WATCHED],
    )
    found = {int(n): value for n, value in rows}
    seen: dict[str, dt.datetime] = {}
    for i, watched in enumerate(WATCHED):
        latest = [v for v in (found.get(i), marks.get(watched.table)) if v is not None]
        if latest:
            seen[watched.table] = max(latest)
    return seen


def _save_marks(warehouse: Warehouse, seen: dict[str, dt.datetime]) -> None:
    """Store the watermarks that moved (an ingest with nothing new writes nothing)."""
    if not seen:
        return
    names = ", ".join("?" for _ in seen)
    warehouse.execute(f"delete from ops.watermarks where name in ({names})", list(seen))
    rows = ", ".join("(?, ?, current_timestamp)" for _ in seen)
    params: list[str] = []
    for table, value in seen.items():
        params += [table, value.isoformat(sep=" ")]
    warehouse.execute(f"insert into ops.watermarks values {rows}", params)


def _check_statuses(warehouse: Warehouse) -> None:
    """Refuse statuses the contract does not know (staging would fail the build on them)."""
    checks = []
    for table, (key, candidate, allowed) in STATUSES.items():
        listed = ", ".join(f"'{value}'" for value in allowed)
        checks.append(
            f"select distinct '{table}' as app_table, lower(t.status) as status from {table} "
            f"as t inner join {candidate} as k on k.{key} = t.{key} "
            f"where lower(t.status) not in ({listed})"
        )
    rows = warehouse.query(" union all ".join(checks) + " order by 1, 2")
    if rows:
        table = str(rows[0][0])
        allowed = STATUSES[table][2]
        unknown = ", ".join(repr(row[1]) for row in rows if row[0] == table)
        raise AppSourceError(
            f"{table} has statuses the landing contract does not know: {unknown} "
            f"(known: {', '.join(allowed)}); map them in globalcart/pipeline/app_mapping.py"
        )


def _assign_ids(warehouse: Warehouse, kind: str, sql: str) -> None:
    """Give every app id of ``sql`` that has none yet the next warehouse ids of ``kind``."""
    warehouse.execute(
        "insert into ops.app_ids (kind, app_id, warehouse_id) "
        "select ?, n.app_id, (select coalesce(max(m.warehouse_id), cast(? as bigint)) "
        "from ops.app_ids as m where m.kind = ?) + row_number() over "
        "(order by n.first_ts nulls last, n.app_id) "
        f"from (select app_id, min(ts) as first_ts from ({sql}) as s (app_id, ts) "
        "group by app_id) as n "
        "where not exists (select 1 from ops.app_ids as m where m.kind = ? "
        "and m.app_id = n.app_id)",
        [kind, APP_ID_BASE, kind, kind],
    )


def _staged(table: str) -> str:
    return f"gc_app_new_{table}"


def _stage(warehouse: Warehouse, table: str, sql: str) -> None:
    """Keep in ``gc_app_new_<table>`` the mapped rows not sent before in this very version."""
    columns = [name for name in contract.landing_table(table).column_names if name != "updated_at"]
    parts = ", ".join(f"coalesce(cast(r.{_quoted(name)} as varchar), '~')" for name in columns)
    _create_temp(
        warehouse,
        _staged(table),
        f"select * from (select r.*, md5(concat_ws('|', {parts})) as row_hash from ({sql}) as r) "
        "as h where not exists (select 1 from ops.app_sent as s where s.table_name = ? "
        "and s.app_key = h.app_key and s.row_hash = h.row_hash)",
        [table],
    )


def _staged_counts(warehouse: Warehouse, tables: list[str]) -> dict[str, int]:
    """Rows staged per landing table (one query)."""
    # union all: DuckDB plans a select of many scalar subqueries slowly (tens of ms)
    rows = warehouse.query(
        " union all ".join(
            f"select {i} as n, count(*) from {_staged(table)}" for i, table in enumerate(tables)
        )
    )
    counts = {int(n): int(count) for n, count in rows}
    return {table: counts[i] for i, table in enumerate(tables)}


def _create_temp(warehouse: Warehouse, name: str, sql: str, params: list[Any]) -> None:
    """``create temp table name as sql``, replacing a leftover of the same name."""
    if warehouse.dialect == "duckdb":
        warehouse.execute(f"create or replace temp table {name} as {sql}", params)
        return
    warehouse.execute(f"drop table if exists {name}")
    warehouse.execute(f"create temp table {name} as {sql}", params)


def _drop_temps(warehouse: Warehouse, names: list[str]) -> None:
    if not names:
        return
    if warehouse.dialect == "duckdb":  # one object per drop, but several drops per call
        warehouse.execute("; ".join(f"drop table if exists {name}" for name in names))
        return
    warehouse.execute(f"drop table if exists {', '.join(names)}")


def _publish(
    warehouse: Warehouse, rows: dict[str, int], run_id: int, ingested_at: dt.datetime
) -> None:
    """Append the staged rows to landing, remember what was sent, and register each landing
    table's rows as one loaded file of the run."""
    tables = [table for table, count in rows.items() if count]
    for table in tables:
        listed = ", ".join(_quoted(name) for name in contract.landing_table(table).column_names)
        warehouse.execute(
            f"insert into landing.{table} ({listed}, ingested_at, source_file) "
            f"select {listed}, cast(? as timestamp), cast(? as varchar) from {_staged(table)}",
            [ingested_at, source_file(table, run_id)],
        )
    sent = " union all ".join(
        f"select cast('{table}' as varchar) as table_name, cast(app_key as varchar) as app_key, "
        f"row_hash from {_staged(table)}"
        for table in tables
    )
    warehouse.execute(
        f"delete from ops.app_sent as s where exists (select 1 from ({sent}) as n "
        "where n.table_name = s.table_name and n.app_key = s.app_key)"
    )
    warehouse.execute(
        f"insert into ops.app_sent (table_name, app_key, row_hash) "
        f"select table_name, app_key, row_hash from ({sent}) as n"
    )
    files = ", ".join("(?, ?, ?, ?, ?, ?, current_timestamp)" for _ in tables)
    params: list[Any] = []
    for table in tables:
        source = source_file(table, run_id)
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        params += [digest, table, source, None, rows[table], run_id]
    warehouse.execute(f"insert into ops.loaded_files values {files}", params)


def _quoted(name: str) -> str:
    return f'"{name}"'
