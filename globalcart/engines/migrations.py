"""Versioned schema migrations, recorded in ``ops.schema_migrations`` and applied on connect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa

from globalcart import contract
from globalcart.engines.base import Dialect, Warehouse
from globalcart.engines.parsing import exact_parsers

SCHEMAS = ("landing", "staging", "dw", "marts", "quality", "ops")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    statements: Callable[[Dialect], list[str]]


def sql_type(data_type: pa.DataType) -> str:
    """The SQL type (valid on DuckDB and PostgreSQL) of a contract Arrow type."""
    if pa.types.is_integer(data_type):
        return "bigint"
    if pa.types.is_floating(data_type):
        return "double precision"
    if pa.types.is_boolean(data_type):
        return "boolean"
    if pa.types.is_timestamp(data_type):
        return "timestamp"
    return "varchar"


def _base(_: Dialect) -> list[str]:
    return [
        *(f"create schema if not exists {schema}" for schema in SCHEMAS),
        "create sequence if not exists ops.run_id_seq",
        """create table if not exists ops.runs (
            run_id bigint primary key, kind varchar not null, mode varchar, status varchar not null,
            started_at timestamp not null, finished_at timestamp, models_built integer,
            rows_quarantined bigint, error varchar)""",
        """create table if not exists ops.model_runs (
            run_id bigint not null, model varchar not null, status varchar not null,
            row_count bigint, duration_ms bigint, error varchar, primary key (run_id, model))""",
        """create table if not exists ops.loaded_files (
            sha256 varchar primary key, table_name varchar not null, source_file varchar not null,
            batch_id varchar, row_count bigint not null, load_run_id bigint not null,
            loaded_at timestamp not null)""",
        """create table if not exists ops.watermarks (
            name varchar primary key, value varchar not null, updated_at timestamp not null)""",
        """create table if not exists ops.batches (
            batch_id varchar primary key, window_start varchar, window_end varchar,
            manifest varchar not null, loaded_at timestamp not null)""",
        """create table if not exists quality.quarantine (
            table_name varchar not null, row_hash varchar not null, business_key varchar,
            rule varchar not null, reason varchar not null, raw_row varchar,
            source_file varchar, ingested_at timestamp, run_id bigint not null,
            quarantined_at timestamp not null, primary key (table_name, row_hash))""",
        """create table if not exists quality.check_results (
            run_id bigint not null, check_name varchar not null, model varchar not null,
            column_name varchar, check_type varchar not null, severity varchar not null,
            status varchar not null, failures bigint not null, checked_at timestamp not null,
            primary key (run_id, check_name))""",
    ]


def _landing(_: Dialect) -> list[str]:
    statements = []
    for table in contract.TABLES:
        columns = [f'"{name}" {sql_type(data_type)}' for name, data_type in table.columns]
        columns += ["ingested_at timestamp", "source_file varchar not null"]
        body = ",\n    ".join(columns)
        statements.append(f"create table if not exists landing.{table.name} (\n    {body})")
    return statements


_PG_TRY_DATE = r"""
create or replace function staging.try_date(s varchar) returns date
language plpgsql immutable parallel safe as $$
declare y int; m int; d int;
begin
  if s is null or s !~ '^\d{4}-\d{2}-\d{2}$' then return null; end if;
  y := substr(s, 1, 4)::int; m := substr(s, 6, 2)::int; d := substr(s, 9, 2)::int;
  if y < 1 or m < 1 or m > 12 or d < 1 then return null; end if;
  if d > extract(day from make_date(y, m, 1) + interval '1 month' - interval '1 day') then
    return null;
  end if;
  return make_date(y, m, d);
end $$"""

_PG_TRY_TS = r"""
create or replace function staging.try_ts(s varchar) returns timestamp
language plpgsql immutable parallel safe as $$
declare day date; h int; mi int; se int;
begin
  if s is null or s !~ '^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$' then return null; end if;
  day := staging.try_date(substr(s, 1, 10));
  h := substr(s, 12, 2)::int; mi := substr(s, 15, 2)::int; se := substr(s, 18, 2)::int;
  if day is null or h > 23 or mi > 59 or se > 59 then return null; end if;
  return day + make_interval(hours => h, mins => mi, secs => se);
end $$"""


_PG_TRY_DATE_FAST = r"""
create or replace function staging.try_date(s varchar) returns date
language plpgsql stable parallel restricted as $$
begin
  if length(s) <> 10 or translate(s, '0123456789', '') <> '--'
     or substr(s, 5, 1) <> '-' or substr(s, 8, 1) <> '-' then
    return null;
  end if;
  return s::date;
exception when others then
  return null;
end $$"""

_PG_TRY_TS_FAST = r"""
create or replace function staging.try_ts(s varchar) returns timestamp
language plpgsql stable parallel restricted as $$
begin
  if length(s) <> 19 or translate(s, '0123456789', '') <> '-- ::'
     or substr(s, 5, 1) <> '-' or substr(s, 8, 1) <> '-' or substr(s, 11, 1) <> ' '
     or substr(s, 14, 1) <> ':' or substr(s, 12, 2) > '23' then
    return null;
  end if;
  return s::timestamp;
exception when others then
  return null;
end $$"""


def _fast_functions(dialect: Dialect) -> list[str]:
    """PostgreSQL: a cheap shape test, then the native cast (3x faster than field checks).

    The exception handler needs a subtransaction, so they are parallel restricted.
    """
    return [] if dialect == "duckdb" else [_PG_TRY_DATE_FAST, _PG_TRY_TS_FAST]


def _functions(dialect: Dialect) -> list[str]:
    """``staging.try_ts`` / ``staging.try_date``: parse contract text, null when malformed."""
    if dialect == "duckdb":
        return [
            "create or replace macro staging.try_ts(s) as try_strptime(s, '%Y-%m-%d %H:%M:%S')",
            "create or replace macro staging.try_date(s) as "
            "cast(try_strptime(s, '%Y-%m-%d') as date)",
        ]
    return [_PG_TRY_DATE, _PG_TRY_TS]


def _analytics_results(dialect: Dialect) -> list[str]:
    """Tables ``globalcart analytics`` fills and ``mart_customer_segments`` reads (empty until
    the analyses have run)."""
    del dialect
    return [
        "create table if not exists marts.analytics_churn_scores (customer_id bigint, "
        "churn_score double precision, score_cutoff timestamp)",
        "create table if not exists marts.analytics_clv (customer_id bigint, "
        "expected_purchases double precision, p_alive double precision, "
        "expected_avg_spend double precision, clv double precision)",
    ]


def _demand_results(dialect: Dialect) -> list[str]:
    """Tables ``globalcart analytics demand`` fills (columns as it writes them, so BI tools and
    the API can rely on them before the first run)."""
    del dialect
    return [
        "create table if not exists marts.analytics_demand_forecast (category varchar, "
        "week_start timestamp, units double precision, lo80 double precision, "
        "hi80 double precision, lo95 double precision, hi95 double precision, "
        "is_forecast boolean)",
        "create table if not exists marts.analytics_reorder_suggestions (product_id bigint, "
        "product_name varchar, category varchar, snapshot_date timestamp, on_hand bigint, "
        "allocated bigint, inbound bigint, reorder_point bigint, share double precision, "
        "lead_time_weeks bigint, service_level double precision, "
        "lead_time_demand double precision, safety_stock double precision, "
        "weeks_of_cover double precision, suggested_qty bigint, reason varchar)",
    ]


def _refresh_tables(dialect: Dialect) -> list[str]:
    """Bookkeeping of the storefront ingest (warehouse ids of app ids, the version of each app
    row sent) and of the continuous refresh (what each refresh ran and its KPI snapshots)."""
    del dialect
    return [
        "create table if not exists ops.app_ids (kind varchar not null, app_id varchar not null, "
        "warehouse_id bigint not null, primary key (kind, app_id))",
        "create table if not exists ops.app_sent (table_name varchar not null, "
        "app_key varchar not null, row_hash varchar not null, primary key (table_name, app_key))",
        "create table if not exists ops.refresh_runs (run_id bigint primary key, "
        "build_run_id bigint, app_rows bigint not null, files_loaded bigint not null, "
        "before_label varchar, after_label varchar, duration_ms bigint)",
    ]


def _landing_file_indexes(dialect: Dialect) -> list[str]:
    """PostgreSQL: an incremental build reads only the rows of newly loaded files."""
    if dialect == "duckdb":
        return []
    return [
        f"create index if not exists {table.name}_source_file on landing.{table.name} (source_file)"
        for table in contract.TABLES
    ]


def _analytics_statistics(dialect: Dialect) -> list[str]:
    """PostgreSQL: statistics for the empty analytics tables. Never analyzed, they are estimated
    at thousands of rows with duplicate keys, and the customer segments mart (which joins them)
    was then planned as a 16 M-row join and compiled for it (0.7 s of JIT per build)."""
    if dialect == "duckdb":
        return []
    return [f"analyze marts.{name}" for name in ("analytics_churn_scores", "analytics_clv")]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "schemas, ops and quality tables", _base),
    Migration(2, "landing tables from the source contract", _landing),
    Migration(3, "safe timestamp and date parsing functions", _functions),
    Migration(4, "faster parsing functions on PostgreSQL", _fast_functions),
    Migration(5, "analytics result tables read by the customer segments mart", _analytics_results),
    Migration(6, "demand forecast and reorder suggestion tables", _demand_results),
    Migration(7, "storefront ingest and continuous refresh bookkeeping", _refresh_tables),
    Migration(8, "exact, parallel-safe parsing functions", exact_parsers),
    Migration(9, "landing rows found by source file on PostgreSQL", _landing_file_indexes),
    Migration(10, "statistics of the analytics result tables", _analytics_statistics),
    Migration(11, "parsing functions without regular expressions", exact_parsers),
    Migration(12, "parsing functions checking fields by hashed lookups", exact_parsers),
)


def migrate(warehouse: Warehouse) -> list[int]:
    """Apply pending migrations in one transaction; returns the versions applied."""
    applied: list[int] = []
    with warehouse.transaction():
        if warehouse.dialect == "postgres":
            warehouse.execute("select pg_advisory_xact_lock(7462313)")
        warehouse.execute("create schema if not exists ops")
        warehouse.execute(
            "create table if not exists ops.schema_migrations (version integer primary key, "
            "name varchar not null, applied_at timestamp not null)"
        )
        done = {int(row[0]) for row in warehouse.query("select version from ops.schema_migrations")}
        for migration in MIGRATIONS:
            if migration.version in done:
                continue
            for statement in migration.statements(warehouse.dialect):
                warehouse.execute(statement)
            warehouse.execute(
                "insert into ops.schema_migrations values (?, ?, current_timestamp)",
                [migration.version, migration.name],
            )
            applied.append(migration.version)
    return applied
