"""Catalog seeding, the app-schema migrations, and the ``users`` / ``serve`` commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from globalcart.api.app import create_app
from globalcart.cli import app as cli
from globalcart.config import Settings
from globalcart.contract import landing_table
from globalcart.engines import connect
from globalcart.store import Store, migrate_app
from globalcart.store.catalog import seed_catalog, stock_of
from globalcart.store.users import audit_entries

runner = CliRunner()


def _landing(tmp_path: Path) -> Path:
    landing = tmp_path / "landing"
    landing.mkdir(parents=True)
    ingested = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    rows = [
        (7, "SKU-7", "Lamp", "Home", "Lighting", "Lux", 10.0, 30.0, True, "2024-01-01 00:00:00"),
        (7, "SKU-7", "Lamp", "Home", "Lighting", "Lux", 11.0, 35.0, True, "2024-06-01 00:00:00"),
        (8, "SKU-8", "Rug", "Home", "Textiles", "Weave", 20.0, 80.0, True, "2024-01-01 00:00:00"),
    ]
    spec = landing_table("products")
    columns = list(zip(*rows, strict=True))
    data = {name: list(values) for name, values in zip(spec.column_names, columns, strict=True)}
    table = pa.table({**data, "ingested_at": [ingested] * len(rows)}).cast(spec.schema)
    pq.write_table(table, landing / "products.parquet")
    return landing


def test_the_catalog_is_seeded_from_landing_then_left_alone(
    warehouse_url: str, tmp_path: Path
) -> None:
    warehouse = connect(warehouse_url)
    try:
        assert migrate_app(warehouse) == [1, 2, 3, 4, 5] and migrate_app(warehouse) == []
        store = Store(warehouse)
        assert seed_catalog(store, _landing(tmp_path), on_hand=5) == 2
        prices = store.query("select product_id, list_price from app.products order by 1")
        assert [(p, float(price)) for p, price in prices] == [(7, 35.0), (8, 80.0)]
        assert stock_of(store, 7) == (5, 0)
        assert seed_catalog(store, _landing(tmp_path / "again"), on_hand=5) == 0
    finally:
        warehouse.close()


def test_the_catalog_prefers_the_warehouse_products(warehouse_url: str) -> None:
    warehouse = connect(warehouse_url)
    try:
        migrate_app(warehouse)
        warehouse.execute(
            "create table dw.dim_product as select 9001 as product_id, 'S-1' as sku, "
            "'Kettle' as product_name, 'Home' as category_l1, 'Kitchen' as category_l2, "
            "'Boil' as brand, 49.5 as list_price_usd, true as is_active, true as is_current "
            "union all select 9001, 'S-1', 'Kettle', 'Home', 'Kitchen', 'Boil', 39.5, true, false"
        )
        store = Store(warehouse)
        assert seed_catalog(store, None, on_hand=3) == 1
        assert store.query("select product_name, list_price from app.products")[0][0] == "Kettle"
        assert float(store.query("select list_price from app.products")[0][0]) == 49.5
    finally:
        warehouse.close()


def test_users_create_never_uses_a_default_password(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/cli.duckdb"
    base = ["users", "create", "--email", "boss@example.com", "--role", "admin", "--database", url]
    assert runner.invoke(cli, base, input="").exit_code != 0  # no password typed: nothing made
    weak = runner.invoke(cli, base, input="password1234\npassword1234\n")
    assert weak.exit_code != 0 and "common" in weak.output
    generated = runner.invoke(cli, [*base, "--generate-password"])
    assert generated.exit_code == 0, generated.output
    password = generated.output.split("Password (shown once):")[1].split()[0]
    settings = Settings(database_url=url, data_dir=tmp_path)
    with TestClient(create_app(settings)) as client:
        login = client.post(
            "/api/auth/login", json={"email": "boss@example.com", "password": password}
        )
        assert login.status_code == 200 and login.json()["user"]["role"] == "admin"
        store = client.app.state.store  # type: ignore[attr-defined]
        assert [e["action"] for e in audit_entries(store)][-1] == "user_create"
    again = runner.invoke(cli, [*base, "--generate-password"])
    assert again.exit_code != 0 and "already exists" in again.output
    # make demo re-runs this: with --exists-ok it succeeds, and neither shows nor changes a password
    idempotent = runner.invoke(cli, [*base, "--generate-password", "--exists-ok"])
    assert idempotent.exit_code == 0 and "already exists" in idempotent.output
    assert "Password" not in idempotent.output
    key = runner.invoke(
        cli, ["users", "api-key", "--email", "boss@example.com", "--scope", "events:write",
              "--database", url],
    )  # fmt: skip
    assert key.exit_code == 0 and "gck_" in key.output


def test_serve_workers_need_postgres(tmp_path: Path) -> None:
    url = f"duckdb:///{tmp_path}/one-process.duckdb"
    done = CliRunner().invoke(cli, ["serve", "--workers", "2", "--database", url])
    assert done.exit_code != 0
    assert "needs PostgreSQL" in done.output and "Traceback" not in done.output
