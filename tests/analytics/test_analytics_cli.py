"""`globalcart analytics …` on a built warehouse, on both engines: results land in marts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.engines import Warehouse, connect
from globalcart.generator import GenerateParams, generate
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build
from tests.conftest import _reset_postgres as reset_postgres

runner = CliRunner()


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("analytics") / "landing"
    generate(GenerateParams(scale="tiny", orders=6_000, out=out, bad_rate=0.0))
    return out


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def built_url(
    request: pytest.FixtureRequest, landing: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "duckdb":
        url = f"duckdb:///{tmp_path_factory.mktemp('an_duck')}/wh.duckdb"
    else:  # the session's PostgreSQL database, emptied first like every other user of it
        url = request.getfixturevalue("postgres_url")
        reset_postgres(url)
    warehouse = connect(url)
    try:
        load_landing(warehouse, landing)
        build(warehouse)
    finally:
        warehouse.close()
    yield url


def _run(url: str, *args: str) -> str:
    result = runner.invoke(app, ["analytics", *args, "--database", url], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return result.output


def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    warehouse: Warehouse = connect(url)
    try:
        return warehouse.query(sql)
    finally:
        warehouse.close()


def test_rfm_matches_the_customer_segments_mart(built_url: str) -> None:
    output = _run(built_url, "rfm")
    assert "marts.analytics_rfm" in output
    rows = _query(
        built_url,
        "select count(*), min(r_score), max(r_score) from marts.analytics_rfm",
    )
    customers = _query(built_url, "select count(*) from marts.mart_customer_segments")[0][0]
    assert rows[0] == (customers, 1, 5)
    same = _query(
        built_url,
        "select count(*) from marts.analytics_rfm as a join marts.mart_customer_segments as m "
        "on m.customer_id = a.customer_id and m.rfm_segment = a.segment",
    )[0][0]
    assert same == customers


def test_churn_scores_every_customer_and_reports_auc(built_url: str) -> None:
    output = _run(built_url, "churn")
    assert "ROC AUC" in output and "baseline" in output
    count, low, high = _query(
        built_url,
        "select count(*), min(churn_score), max(churn_score) from marts.analytics_churn_scores",
    )[0]
    assert isinstance(count, int) and count > 500
    assert 0.0 <= float(str(low)) <= float(str(high)) <= 1.0
    segments = "select count(*), count(churn_score) from marts.mart_customer_segments"
    customers, scored = _query(built_url, segments)[0]
    assert scored == customers == count  # the mart carries every customer's score at once
    same = _query(
        built_url,
        "select count(*) from marts.mart_customer_segments as m "
        "join marts.analytics_churn_scores as s on s.customer_id = m.customer_id "
        "and s.churn_score = m.churn_score",
    )[0][0]
    assert same == customers
    warehouse = connect(built_url)
    try:
        build(warehouse, full=True)  # and every build joins the stored scores back in
    finally:
        warehouse.close()
    assert _query(built_url, segments)[0] == (customers, scored)


def test_clv_forecast_and_outliers_are_stored(built_url: str) -> None:
    assert "BG/NBD" in _run(built_url, "clv", "--horizon-weeks", "26")
    clv = _query(
        built_url, "select count(*), min(clv), min(p_alive), max(p_alive) from marts.analytics_clv"
    )
    assert clv[0][0] > 500 and float(str(clv[0][1])) >= 0
    assert 0.0 <= float(str(clv[0][2])) <= float(str(clv[0][3])) <= 1.0
    in_mart = "select count(predicted_clv_usd), count(p_alive) from marts.mart_customer_segments"
    assert _query(built_url, in_mart)[0] == (clv[0][0], clv[0][0])
    _run(built_url, "forecast", "--horizon", "14")
    forecast = _query(
        built_url,
        "select count(*) from marts.analytics_revenue_forecast "
        "where lower_95 <= lower_80 and lower_80 <= forecast and forecast <= upper_80 "
        "and upper_80 <= upper_95",
    )
    assert forecast[0][0] == 14
    _run(built_url, "outliers")
    assert _query(built_url, "select count(*) from marts.analytics_order_outliers")[0][0] > 0


def test_an_unbuilt_warehouse_gives_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["analytics", "rfm", "--database", f"duckdb:///{tmp_path}/x.duckdb"]
    )
    assert result.exit_code != 0
    assert "not built yet" in result.output and "Traceback" not in result.output
