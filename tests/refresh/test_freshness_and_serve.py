"""``/api/admin/freshness``, the background refresh of the server, and the CLI commands."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from globalcart.api.app import create_app
from globalcart.cli import app as cli
from globalcart.config import Settings
from tests.api.conftest import Env
from tests.api.warehouse_env import unique
from tests.refresh.storefront import Buyer, admin_client, fact_order, wh


def _sources(client: TestClient) -> dict[str, dict[str, object]]:
    answer = client.get("/api/admin/freshness")
    assert answer.status_code == 200, answer.text
    return {source["source"]: source for source in answer.json()["sources"]}


def test_freshness_shows_pending_storefront_rows_until_a_refresh(env: Env) -> None:
    from globalcart.refresh.core import refresh_once

    admin = admin_client(env)
    Buyer.sign_up(env).order({10: 1})
    waiting = _sources(admin)
    assert waiting["app.orders"]["pending"] is True
    assert waiting["app.orders"]["last_event_at"] is not None
    assert float(str(waiting["app.orders"]["lag_seconds"])) >= 0
    assert waiting["landing.orders"]["pending"] is False  # the golden batch is built

    refresh_once(wh(env))

    answer = admin.get("/api/admin/freshness").json()
    fresh = {source["source"]: source for source in answer["sources"]}
    assert fresh["app.orders"]["pending"] is False and fresh["app.orders"]["lag_seconds"] == 0
    assert fresh["landing.orders"]["pending"] is False
    assert answer["last_refresh"]["status"] == "success" and answer["worker"] is None


def test_freshness_and_fulfilment_are_for_admins_only(env: Env) -> None:
    customer = env.signed_in(unique("c"))
    analyst = env.signed_in(unique("a"), "analyst")
    for client, expected in ((env.client(), 401), (customer, 403), (analyst, 403)):
        assert client.get("/api/admin/freshness").status_code == expected
        deliver = client.post("/api/admin/shop/orders/abc/deliver")
        assert deliver.status_code == expected
    assert admin_client(env).post("/api/admin/shop/orders/abc/deliver").status_code == 404


def test_server_refreshes_in_the_background(env: Env, warehouse_url: str) -> None:
    settings = Settings(database_url=warehouse_url, serve_refresh="on", refresh_seconds=0.3)
    app = create_app(settings, store=env.store)
    with TestClient(app):
        worker = app.state.refresh
        assert worker is not None
        app_order = Buyer.sign_up(env).order({30: 2})
        deadline = time.monotonic() + 60
        while fact_order(env, app_order) is None:
            assert time.monotonic() < deadline, worker.state.last_error
            time.sleep(0.2)
        assert worker.state.last_checked_at is not None and worker.state.failures == 0
    assert worker._thread is None  # stopped with the server
    found = fact_order(env, app_order)
    assert found is not None and found[:4] == ("paid", 16, 0, 16)


def test_serve_does_not_refresh_an_embedded_store_by_default(env: Env) -> None:
    with TestClient(env.app):
        assert env.app.state.refresh is None


def test_cli_refresh_once(env: Env, warehouse_url: str) -> None:
    Buyer.sign_up(env).order({10: 2})
    runner = CliRunner()
    first = runner.invoke(cli, ["refresh", "--database", warehouse_url])
    assert first.exit_code == 0, first.output
    assert "storefront rows" in first.output and "refresh-" in first.output
    again = runner.invoke(cli, ["refresh", "--database", warehouse_url])
    assert again.exit_code == 0 and "nothing new" in again.output


def test_cli_simulate_without_a_server_is_a_clear_error() -> None:
    result = CliRunner().invoke(
        cli, ["simulate", "--rate", "2", "--duration", "1", "--base-url", "http://127.0.0.1:9"]
    )
    assert result.exit_code == 2
    assert "cannot reach the store" in result.output and "Traceback" not in result.output
