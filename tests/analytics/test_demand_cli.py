"""`globalcart analytics demand` on a built warehouse, on both engines, checked against pandas
recomputations straight from the facts."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from globalcart.cli import app
from globalcart.engines import Warehouse, connect
from globalcart.generator import GenerateParams, generate
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build
from tests.postgres_db import temporary_database

runner = CliRunner()
TABLE_COLUMNS = {
    "marts.analytics_demand_forecast": [
        "category", "week_start", "units", "lo80", "hi80", "lo95", "hi95", "is_forecast",
    ],
    "marts.analytics_reorder_suggestions": [
        "product_id", "product_name", "category", "snapshot_date", "on_hand", "allocated",
        "inbound", "reorder_point", "share", "lead_time_weeks", "service_level",
        "lead_time_demand", "safety_stock", "weeks_of_cover", "suggested_qty", "reason",
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Run:
    url: str
    output: str
    short: int  # a best seller whose stock was emptied
    ample: int  # a best seller given far more stock than it can sell


def _frame(url: str, sql: str) -> pd.DataFrame:
    warehouse: Warehouse = connect(url)
    try:
        frame: pd.DataFrame = warehouse.query_arrow(sql).to_pandas()
        return frame
    finally:
        warehouse.close()


def _revenue_lines(url: str) -> pd.DataFrame:
    """Revenue order lines with their category, joined in pandas (not by the code under test)."""
    items = _frame(
        url, "select order_id, product_id, product_sk, order_date, qty from dw.fct_order_items"
    )
    orders = _frame(url, "select order_id, is_revenue from dw.fct_orders")
    products = _frame(url, "select product_sk, category_l1 from dw.dim_product")
    lines = items.merge(orders, on="order_id").merge(products, on="product_sk", how="left")
    lines = lines[lines["is_revenue"]].copy()
    lines["category"] = lines["category_l1"].fillna("Unknown")
    lines["order_date"] = pd.to_datetime(lines["order_date"])
    lines["week"] = lines["order_date"].dt.to_period("W-SUN").dt.start_time
    return lines


def _complete_weeks(url: str) -> pd.DatetimeIndex:
    days = pd.to_datetime(_frame(url, "select order_date from dw.fct_orders")["order_date"])
    periods = pd.period_range(days.min(), days.max(), freq="W-SUN")
    whole = [
        p.start_time
        for p in periods
        if p.start_time >= days.min() and p.end_time.normalize() <= days.max()
    ]
    return pd.DatetimeIndex(whole)


def _recent_units(url: str) -> pd.DataFrame:
    """Units per product and category over the 13 complete weeks the command uses for shares."""
    lines = _revenue_lines(url)
    recent = lines[lines["week"].isin(_complete_weeks(url)[-13:])]
    return recent.groupby(["product_id", "category"])["qty"].sum().reset_index()


def _build(url: str, landing: Path) -> Run:
    warehouse = connect(url)
    try:
        load_landing(warehouse, landing)
        build(warehouse)
        top = _recent_units(url).sort_values(["qty", "product_id"], ascending=[False, True])
        short, ample = (int(p) for p in top["product_id"].iloc[:2])
        latest = "(select max(snapshot_date) from dw.fct_inventory_daily)"
        for product, on_hand in ((short, 0), (ample, 1_000_000)):
            warehouse.execute(
                "update dw.fct_inventory_daily set on_hand = ?, allocated = 0, inbound = 0 "
                f"where product_id = ? and snapshot_date = {latest}",
                [on_hand, product],
            )
    finally:
        warehouse.close()
    result = runner.invoke(app, ["analytics", "demand", "--database", url], terminal_width=200)
    assert result.exit_code == 0, result.output
    return Run(url, result.output, short, ample)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demand") / "landing"
    generate(GenerateParams(scale="tiny", orders=6_000, out=out, bad_rate=0.0))
    return out


@pytest.fixture(scope="module")
def duck_run(landing: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    return _build(f"duckdb:///{tmp_path_factory.mktemp('demand_duck')}/wh.duckdb", landing)


@pytest.fixture(scope="module")
def pg_run(landing: Path) -> Iterator[Run]:
    for url in temporary_database("globalcart_demand"):  # own database: others reset theirs
        yield _build(url, landing)


@pytest.fixture(
    scope="module", params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def run(request: pytest.FixtureRequest) -> Run:
    result: Run = request.getfixturevalue("duck_run" if request.param == "duckdb" else "pg_run")
    return result


def _stored_forecast(url: str) -> pd.DataFrame:
    frame = _frame(
        url, "select * from marts.analytics_demand_forecast order by category, week_start"
    )
    frame["week_start"] = pd.to_datetime(frame["week_start"])
    return frame


def test_weekly_history_equals_a_pandas_recomputation(run: Run) -> None:
    lines = _revenue_lines(run.url)
    weeks = _complete_weeks(run.url)
    expected = (
        lines[lines["week"].isin(weeks)]
        .pivot_table(index="week", columns="category", values="qty", aggfunc="sum")
        .reindex(weeks)
        .fillna(0.0)
    )
    stored = _stored_forecast(run.url)
    history = stored[~stored["is_forecast"]].pivot(
        index="week_start", columns="category", values="units"
    )
    assert list(history.index) == list(weeks) and weeks[0].weekday() == 0
    assert sorted(history.columns) == sorted(lines["category"].unique())
    assert (history[expected.columns].to_numpy() == expected.to_numpy()).all()
    assert stored.loc[~stored["is_forecast"], ["lo80", "hi95"]].isna().all().all()


def test_forecast_weeks_follow_the_history_with_nested_intervals(run: Run) -> None:
    stored = _stored_forecast(run.url)
    ahead = stored[stored["is_forecast"]]
    last = stored.loc[~stored["is_forecast"], "week_start"].max()
    expected_weeks = list(pd.date_range(last + pd.Timedelta(days=7), periods=8, freq="W-MON"))
    for _, weeks in ahead.groupby("category")["week_start"]:
        assert list(weeks) == expected_weeks  # default --weeks 8
    assert (ahead["lo95"] >= 0).all()
    assert (ahead["lo95"] <= ahead["lo80"]).all() and (ahead["lo80"] <= ahead["units"]).all()
    assert (ahead["units"] <= ahead["hi80"]).all() and (ahead["hi80"] <= ahead["hi95"]).all()
    assert (ahead["hi95"] - ahead["lo95"] > ahead["hi80"] - ahead["lo80"]).any()
    assert "Weekly units per category" in run.output and "sMAPE" in run.output


def test_short_stock_gets_a_suggestion_and_ample_stock_does_not(run: Run) -> None:
    suggestions = _frame(run.url, "select * from marts.analytics_reorder_suggestions").set_index(
        "product_id"
    )
    assert run.short in suggestions.index and run.ample not in suggestions.index
    assert (suggestions["suggested_qty"] > 0).all()
    position = suggestions["on_hand"] - suggestions["allocated"] + suggestions["inbound"]
    need = suggestions["lead_time_demand"] + suggestions["safety_stock"] - position
    assert (suggestions["suggested_qty"] == need.round(6).apply(math.ceil)).all()
    short = suggestions.loc[run.short]
    assert short["on_hand"] == 0 and short["reason"].startswith("out of stock < 2-week demand")
    # lead-time demand = product share of the last 13 weeks x the first two forecast weeks
    recent = _recent_units(run.url)
    mine = recent[recent["product_id"] == run.short].iloc[0]
    share = mine["qty"] / recent.loc[recent["category"] == mine["category"], "qty"].sum()
    stored = _stored_forecast(run.url)
    ahead = stored[stored["is_forecast"] & (stored["category"] == mine["category"])]
    demand = share * ahead.sort_values("week_start")["units"].iloc[:2].sum()
    assert short["share"] == pytest.approx(share)
    assert short["lead_time_demand"] == pytest.approx(demand, rel=1e-9)
    assert short["safety_stock"] > 0 and short["suggested_qty"] >= math.ceil(demand)
    assert "need reordering" in run.output


def test_result_tables_keep_the_migrated_columns(run: Run) -> None:
    for table, columns in TABLE_COLUMNS.items():
        assert _frame(run.url, f"select * from {table}").columns.tolist() == columns


def test_migration_creates_empty_result_tables(warehouse: Warehouse) -> None:
    for table, columns in TABLE_COLUMNS.items():
        assert warehouse.columns_of(f"select * from {table}") == columns
        assert warehouse.row_count(table) == 0


@pytest.mark.postgres
def test_duckdb_and_postgres_agree(duck_run: Run, pg_run: Run) -> None:
    duck, pg = _stored_forecast(duck_run.url), _stored_forecast(pg_run.url)
    assert duck[["category", "week_start", "is_forecast"]].equals(
        pg[["category", "week_start", "is_forecast"]]
    )
    numbers = ["units", "lo80", "hi80", "lo95", "hi95"]
    pd.testing.assert_frame_equal(duck[numbers], pg[numbers], rtol=1e-7)
    order = "select * from marts.analytics_reorder_suggestions order by product_id"
    pd.testing.assert_frame_equal(_frame(duck_run.url, order), _frame(pg_run.url, order), rtol=1e-7)


def _invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["analytics", "demand", *args])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_help_and_bad_arguments_fail_cleanly() -> None:
    code, output = _invoke("--help")
    assert code == 0 and "--weeks" in output and "--lead-time-weeks" in output
    assert "--service-level" in output
    for bad in (["--weeks", "0"], ["--service-level", "1.5"], ["--weeks", "x"]):
        code, output = _invoke(*bad)
        assert code == 2 and "Invalid value" in output
    code, output = _invoke("--weeks", "3", "--lead-time-weeks", "4")
    assert code == 2 and "longer than the --weeks 3 forecast" in output


def test_unbuilt_or_too_short_warehouses_give_clear_errors(
    warehouse_url: str, tmp_path: Path
) -> None:
    code, output = _invoke("--database", warehouse_url)
    assert code == 2 and "not built yet" in output
    landing = tmp_path / "landing"
    generate(GenerateParams(scale="tiny", orders=300, days=40, out=landing))
    warehouse = connect(warehouse_url)
    try:
        load_landing(warehouse, landing)
        build(warehouse)
    finally:
        warehouse.close()
    code, output = _invoke("--database", warehouse_url)
    assert code == 2 and "need sales in at least 8 complete weeks" in output
