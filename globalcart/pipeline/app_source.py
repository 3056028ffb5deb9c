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


def app_schema_exists(warehouse: Warehouse) -> bool:
    """Whether this database holds the storefront's operational tables."""
    return warehouse.table_exists("app.schema_migrations") and warehouse.table_exists("app.events")


def source_file(table: str, run_id: int) -> str:
    """``source_file`` of the rows of one landing table appended by one ingest run."""
    return f"app:{table}:{run_id}"


def ingest_app(warehouse: Warehouse, *, overlap: dt.timedelta = DEFAULT_OVERLAP) -> AppIngestResult:
    """Append the storefront rows changed since the last ingest to ``landing.*``.

    Raises ``AppSourceError`` (after rolling back; the failed run is recorded in ``ops.runs``).
    """
    if overlap < dt.timedelta(0):
        raise AppSourceError("the overlap window cannot be negative")
    if not app_schema_exists(warehouse):
        raise AppSourceError(
            "this database has no storefront schema (app.*); run `globalcart serve` once "
            "or create it with globalcart.store.migrate_app"
        )
    if not warehouse.table_exists("app.shipments"):
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
        warehouse.execute(f"drop table if exists {name}")
        warehouse.execute(f"create temp table {name} as {sql}", params)
        if warehouse.dialect == "postgres":  # temp tables have no statistics until analysed
            warehouse.execute(f"analyze {name}")
        temps.append(name)
    _check_statuses(warehouse)
    for kind, sql in ID_SOURCES.items():
        _assign_ids(warehouse, kind, sql)
    result = AppIngestResult(run_id=None)
    for table, sql in mapped(warehouse.dialect).items():
        result.rows[table] = _stage(warehouse, table, sql)
        temps.append(f"gc_app_new_{table}")
    if result.total:
        result.run_id = start_run(warehouse, "load", RUN_MODE)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        # extraction cannot precede the rows it extracts (the shop's clock may run ahead)
        result.ingested_at = max([now, *seen.values()])
        for table, rows in result.rows.items():
            if rows:
                _publish(warehouse, table, rows, result.run_id, result.ingested_at)
        finish_run(warehouse, result.run_id, "success")
    _save_marks(warehouse, {t: v for t, v in seen.items() if marks.get(t) != v})
    for name in temps:
        warehouse.execute(f"drop table if exists {name}")
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
    seen: dict[str, dt.datetime] = {}
    for watched in WATCHED:
        found = warehouse.query(
            f"select max({watched.column}) from {watched.table} where {watched.column} >= ?",
            [since[watched.table]],
        )[0][0]
        latest = [value for value in (found, marks.get(watched.table)) if value is not None]
        if latest:
            seen[watched.table] = max(latest)
    return seen


def _save_marks(warehouse: Warehouse, seen: dict[str, dt.datetime]) -> None:
    """Store the watermarks that moved (an ingest with nothing new writes nothing)."""
    for table, value in seen.items():
        warehouse.execute("delete from ops.watermarks where name = ?", [table])
        warehouse.execute(
            "insert into ops.watermarks values (?, ?, current_timestamp)",
            [table, value.isoformat(sep=" ")],
        )


def _check_statuses(warehouse: Warehouse) -> None:
    """Refuse statuses the contract does not know (staging would fail the build on them)."""
    for table, (key, candidate, allowed) in STATUSES.items():
        listed = ", ".join(f"'{value}'" for value in allowed)
        rows = warehouse.query(
            f"select distinct lower(t.status) from {table} as t inner join {candidate} as k "
            f"on k.{key} = t.{key} where lower(t.status) not in ({listed}) order by 1"
        )
        if rows:
            unknown = ", ".join(repr(row[0]) for row in rows)
            raise AppSourceError(
                f"{table} has statuses the landing contract does not know: {unknown} "
                f"(known: {', '.join(allowed)}); map them in globalcart/pipeline/app_mapping.py"
            )


def _assign_ids(warehouse: Warehouse, kind: str, sql: str) -> None:
    """Give every app id of ``sql`` that has none yet the next warehouse ids of ``kind``."""
    last = warehouse.query(
        "select coalesce(max(warehouse_id), ?) from ops.app_ids where kind = ?",
        [APP_ID_BASE, kind],
    )[0][0]
    warehouse.execute(
        "insert into ops.app_ids (kind, app_id, warehouse_id) "
        "select ?, n.app_id, cast(? as bigint) + row_number() over "
        "(order by n.first_ts nulls last, n.app_id) "
        f"from (select app_id, min(ts) as first_ts from ({sql}) as s (app_id, ts) "
        "group by app_id) as n "
        "where not exists (select 1 from ops.app_ids as m where m.kind = ? "
        "and m.app_id = n.app_id)",
        [kind, int(last), kind],
    )


def _stage(warehouse: Warehouse, table: str, sql: str) -> int:
    """Keep in ``gc_app_new_<table>`` the mapped rows not sent before in this very version."""
    columns = [name for name in contract.landing_table(table).column_names if name != "updated_at"]
    parts = ", ".join(f"coalesce(cast(r.{_quoted(name)} as varchar), '~')" for name in columns)
    name = f"gc_app_new_{table}"
    warehouse.execute(f"drop table if exists {name}")
    warehouse.execute(
        f"create temp table {name} as select * from ("
        f"select r.*, md5(concat_ws('|', {parts})) as row_hash from ({sql}) as r) as h "
        "where not exists (select 1 from ops.app_sent as s where s.table_name = ? "
        "and s.app_key = h.app_key and s.row_hash = h.row_hash)",
        [table],
    )
    return warehouse.row_count(name)


def _publish(
    warehouse: Warehouse, table: str, rows: int, run_id: int, ingested_at: dt.datetime
) -> None:
    """Append the staged rows to landing and register them as one loaded file of the run."""
    staged = f"gc_app_new_{table}"
    listed = ", ".join(_quoted(name) for name in contract.landing_table(table).column_names)
    source = source_file(table, run_id)
    warehouse.execute(
        f"insert into landing.{table} ({listed}, ingested_at, source_file) "
        f"select {listed}, cast(? as timestamp), cast(? as varchar) from {staged}",
        [ingested_at, source],
    )
    warehouse.execute(
        f"delete from ops.app_sent where table_name = ? and app_key in "
        f"(select app_key from {staged})",
        [table],
    )
    warehouse.execute(
        "insert into ops.app_sent (table_name, app_key, row_hash) "
        f"select cast(? as varchar), app_key, row_hash from {staged}",
        [table],
    )
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    warehouse.execute(
        "insert into ops.loaded_files values (?, ?, ?, ?, ?, ?, current_timestamp)",
        [digest, table, source, None, rows, run_id],
    )


def _quoted(name: str) -> str:
    return f'"{name}"'
