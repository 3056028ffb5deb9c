"""``globalcart analytics …``: run the analytics on the warehouse, store results in marts, print."""

from __future__ import annotations

from typing import Annotated

import pandas as pd
import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from globalcart.analytics.churn import run_churn_model
from globalcart.analytics.clv import (
    customer_lifetime_value,
    fit_bgnbd,
    fit_gamma_gamma,
    summary_from_transactions,
)
from globalcart.analytics.demand import (
    category_backtest,
    complete_weeks,
    demand_shares,
    forecast_categories,
    lead_time_demand,
    reorder_suggestions,
    weekly_units,
)
from globalcart.analytics.forecast import backtest, forecast, min_periods
from globalcart.analytics.outliers import flag_daily_revenue, flag_order_values
from globalcart.analytics.rfm import rfm_table, segment_summary
from globalcart.analytics.warehouse_io import (
    customer_sessions,
    daily_category_units,
    order_period,
    product_units,
    refresh_segment_scores,
    revenue_orders,
    stock_positions,
    write_result,
)
from globalcart.cli.app import DatabaseOption, console, fail, open_warehouse
from globalcart.engines import Warehouse

analytics_app = typer.Typer(
    help="Customer and revenue analytics on the warehouse; results go to marts.analytics_*.",
    no_args_is_help=True,
)

AsOfOption = Annotated[
    str | None, typer.Option("--as-of", help="Date of the analysis (default: last order day).")
]


def _require_built(warehouse: Warehouse, table: str) -> None:
    if not warehouse.table_exists(table):
        raise fail(
            "the warehouse is not built yet: run 'globalcart pipeline' or 'globalcart build'"
        )


def _orders(warehouse: Warehouse) -> pd.DataFrame:
    _require_built(warehouse, "dw.fct_orders")
    orders = revenue_orders(warehouse)
    if orders.empty:
        raise fail("the warehouse has no revenue orders yet: run 'globalcart pipeline' first")
    return orders


def _as_of(orders: pd.DataFrame, as_of: str | None) -> pd.Timestamp:
    if as_of is None:
        return pd.Timestamp(orders["order_ts"].max()).normalize()
    try:
        return pd.Timestamp(as_of).normalize()
    except ValueError:
        raise fail(f"--as-of {as_of!r} is not a date (YYYY-MM-DD)") from None


def _cell(value: object, decimals: int = 3) -> str:
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}" if value == value.normalize() else f"{value:%Y-%m-%d %H:%M}"
    return f"{value:,.{decimals}f}" if isinstance(value, float) else str(value)


def _print(frame: pd.DataFrame, title: str, limit: int = 20, decimals: int = 3) -> None:
    table = Table(title=title)
    shown = frame.reset_index() if frame.index.name is not None else frame
    for column in shown.columns:
        table.add_column(
            str(column), justify="right" if shown[column].dtype.kind in "if" else "left"
        )
    for row in shown.head(limit).itertuples(index=False):
        table.add_row(*(_cell(v, decimals) for v in row))
    console.print(table)


@analytics_app.command("rfm")
def rfm_command(as_of: AsOfOption = None, database: DatabaseOption = None) -> None:
    """RFM quintile scores and named segments per customer (marts.analytics_rfm)."""
    with open_warehouse(database) as warehouse:
        orders = _orders(warehouse)
        rfm = rfm_table(orders, _as_of(orders, as_of))
        stored = write_result(warehouse, "analytics_rfm", rfm)
    _print(segment_summary(rfm), f"RFM segments ({len(rfm):,} customers) → {stored}")


@analytics_app.command("churn")
def churn_command(
    train_cutoff: Annotated[str, typer.Option(help="Cutoff the model learns at.")] = "",
    test_cutoff: Annotated[str, typer.Option(help="Later cutoff it is evaluated at.")] = "",
    database: DatabaseOption = None,
) -> None:
    """Churn model (no order in the next 90 days): held-out ROC AUC against a recency-only
    baseline, a calibration table, and a score per customer (marts.analytics_churn_scores and
    the churn_score column of marts.mart_customer_segments).

    Default cutoffs: the test cutoff 91 days before the last order day, the training cutoff 91
    days before that.
    """
    with open_warehouse(database) as warehouse:
        orders = _orders(warehouse)
        sessions = customer_sessions(warehouse)
        end = pd.Timestamp(orders["order_ts"].max()).normalize()
        test = pd.Timestamp(test_cutoff) if test_cutoff else end - pd.Timedelta(days=91)
        train = pd.Timestamp(train_cutoff) if train_cutoff else test - pd.Timedelta(days=91)
        try:
            report = run_churn_model(orders, train, test, sessions=sessions)
        except ValueError as exc:
            raise fail(f"churn model: {exc}") from None
        scores = report.scores[["churn_score"]].assign(score_cutoff=report.score_cutoff)
        stored = write_result(warehouse, "analytics_churn_scores", scores)
        refresh_segment_scores(warehouse, "analytics_churn_scores")
    console.print(
        f"Held-out ROC AUC {report.auc:.3f} (recency-only baseline {report.baseline_auc:.3f}); "
        f"train {report.train_cutoff:%Y-%m-%d} ({report.n_train:,} customers), "
        f"test {report.test_cutoff:%Y-%m-%d} "
        f"({report.n_test:,}, churn {report.test_churn_rate:.1%})"
    )
    _print(report.calibration, "Calibration on the held-out cutoff")
    console.print(f"Scores of {len(scores):,} customers → {stored}")


@analytics_app.command("clv")
def clv_command(
    horizon_weeks: Annotated[int, typer.Option(min=1, max=520, help="Horizon in weeks.")] = 52,
    monthly_discount: Annotated[
        float, typer.Option(min=0.0, max=0.5, help="Discount rate per 4-week step.")
    ] = 0.01,
    as_of: AsOfOption = None,
    database: DatabaseOption = None,
) -> None:
    """Probabilistic CLV: BG/NBD (purchases) and Gamma-Gamma (spend) fitted by maximum
    likelihood; expected purchases, P(alive) and CLV per customer (marts.analytics_clv, and
    p_alive / predicted_clv_usd in marts.mart_customer_segments)."""
    with open_warehouse(database) as warehouse:
        orders = _orders(warehouse)
        summary = summary_from_transactions(orders, observation_end=_as_of(orders, as_of))
        try:
            bgnbd = fit_bgnbd(summary)
            gamma_gamma = fit_gamma_gamma(summary[summary["frequency"] > 0])
        except ValueError as exc:
            raise fail(f"CLV models: {exc}") from None
        clv = customer_lifetime_value(
            bgnbd, gamma_gamma, summary, float(horizon_weeks), monthly_discount, step=4.0
        )
        stored = write_result(warehouse, "analytics_clv", clv)
        refresh_segment_scores(warehouse, "analytics_clv")
    console.print(
        f"BG/NBD r={bgnbd.r:.3f} alpha={bgnbd.alpha:.3f} a={bgnbd.a:.3f} b={bgnbd.b:.3f}; "
        f"Gamma-Gamma p={gamma_gamma.p:.3f} q={gamma_gamma.q:.3f} v={gamma_gamma.v:.3f}"
    )
    _print(clv.sort_values("clv", ascending=False), f"Top customers by {horizon_weeks}-week CLV")
    console.print(f"CLV of {len(clv):,} customers → {stored}")


@analytics_app.command("forecast")
def forecast_command(
    horizon: Annotated[int, typer.Option(min=1, max=365, help="Days to forecast.")] = 28,
    database: DatabaseOption = None,
) -> None:
    """Daily net revenue forecast with 80 % / 95 % intervals (marts.analytics_revenue_forecast),
    and a rolling-origin backtest against a seasonal-naive baseline."""
    with open_warehouse(database) as warehouse:
        orders = _orders(warehouse)
        daily = orders.set_index("order_ts")["amount"].resample("D").sum()
        try:
            prediction = forecast(daily, horizon).rename_axis("date")
            scores = backtest(daily, horizon=min(horizon, 28))
        except ValueError as exc:
            raise fail(f"forecast: {exc}") from None
        stored = write_result(warehouse, "analytics_revenue_forecast", prediction)
    _print(scores.mean(numeric_only=True).to_frame("mean").T, "Backtest (mean over origins)")
    _print(prediction, f"Net revenue forecast → {stored}", limit=horizon)


@analytics_app.command("outliers")
def outliers_command(database: DatabaseOption = None) -> None:
    """Order-value and daily-revenue anomalies (robust z-score and IQR) with reasons
    (marts.analytics_order_outliers, marts.analytics_daily_outliers)."""
    with open_warehouse(database) as warehouse:
        orders = _orders(warehouse)
        flagged = flag_order_values(orders)
        order_outliers = flagged[flagged["is_anomaly"]].drop(columns=["iqr_low", "iqr_high"])
        days = flag_daily_revenue(orders, by_weekday=True)
        day_outliers = days[days["is_anomaly"]]
        write_result(warehouse, "analytics_order_outliers", order_outliers)
        write_result(warehouse, "analytics_daily_outliers", day_outliers)
    key_columns = ["order_id", "customer_id", "order_ts", "amount", "robust_z", "reason"]
    _print(order_outliers.sort_values("robust_z", ascending=False)[key_columns], "Unusual orders")
    _print(day_outliers[["revenue", "robust_z", "reason"]], "Unusual days")


SHARE_WEEKS = 13  # recent weeks whose sales split a category forecast among its products
REORDER_COLUMNS = [
    "product_id", "product_name", "category", "snapshot_date", "on_hand", "allocated", "inbound",
    "reorder_point", "share", "lead_time_weeks", "service_level", "lead_time_demand",
    "safety_stock", "weeks_of_cover", "suggested_qty", "reason",
]  # fmt: skip

_SHORT = {
    "product_id": "product", "category": "category", "on_hand": "on hand",
    "allocated": "allocated", "inbound": "inbound", "lead_time_demand": "demand",
    "safety_stock": "safety", "suggested_qty": "order qty",
}  # fmt: skip


def _forecast_with_progress(history: pd.DataFrame, weeks: int) -> pd.DataFrame:
    columns = (TextColumn("forecasting {task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("categories", total=history["category"].nunique())
        return forecast_categories(
            history, weeks, lambda name: progress.update(task, advance=1, description=name)
        )


@analytics_app.command("demand")
def demand_command(
    weeks: Annotated[int, typer.Option(min=1, max=52, help="Weeks to forecast.")] = 8,
    lead_time_weeks: Annotated[
        int, typer.Option(min=1, max=26, help="Weeks from placing an order to receiving it.")
    ] = 2,
    service_level: Annotated[
        float,
        typer.Option(
            min=0.5, max=0.999, help="Chance that stock covers lead-time demand (safety stock)."
        ),
    ] = 0.95,
    database: DatabaseOption = None,
) -> None:
    """Weekly units per category with 80 % / 95 % intervals (marts.analytics_demand_forecast)
    and reorder suggestions per product (marts.analytics_reorder_suggestions).

    A product's lead-time demand is its share of its category's units over the last 13 complete
    weeks times the category forecast; suggested quantity = lead-time demand + safety stock -
    (on hand - allocated) - inbound, from the latest inventory snapshot. See
    docs/demand_forecasting.md.
    """
    if lead_time_weeks > weeks:
        raise fail(
            f"--lead-time-weeks {lead_time_weeks} is longer than the --weeks {weeks} forecast"
        )
    with open_warehouse(database) as warehouse:
        _require_built(warehouse, "dw.fct_order_items")
        period = order_period(warehouse)
        calendar = complete_weeks(*period) if period else pd.DatetimeIndex([])
        history = weekly_units(daily_category_units(warehouse), calendar, "category")
        if len(calendar) < min_periods(None) or history.empty:
            raise fail(
                f"demand forecast: need sales in at least {min_periods(None)} complete weeks, "
                f"the warehouse has {len(calendar)}"
            )
        try:
            forecasts = _forecast_with_progress(history, weeks)
            scores = category_backtest(history, min(weeks, 4))
        except ValueError as exc:
            raise fail(f"demand forecast: {exc}") from None
        recent = product_units(
            warehouse, calendar[-SHARE_WEEKS:][0], calendar[-1] + pd.Timedelta(days=6)
        )
        stock = stock_positions(warehouse)
        suggestions = reorder_suggestions(
            stock,
            demand_shares(recent),
            lead_time_demand(forecasts, lead_time_weeks),
            lead_time_weeks,
            service_level,
        )[REORDER_COLUMNS]
        stored = write_result(
            warehouse, "analytics_demand_forecast", forecasts.drop(columns="sigma")
        )
        reorders = write_result(warehouse, "analytics_reorder_suggestions", suggestions)
    ahead = forecasts[forecasts["is_forecast"]]
    summary = ahead.groupby("category")[["units", "lo95", "hi95"]].sum()
    summary.columns = [f"next {weeks} wk", "lo95 sum", "hi95 sum"]
    last = history[history["week_start"] == calendar[-1]].set_index("category")["units"]
    summary.insert(0, "last wk", last)
    if not scores.empty:
        backtested = scores[["smape_model", "smape_naive"]]
        summary = summary.join(backtested.set_axis(["sMAPE %", "naive sMAPE %"], axis=1))
    _print(
        summary,
        f"Weekly units per category (last complete week {calendar[-1]:%Y-%m-%d}) → {stored}",
        decimals=1,
    )
    if stock.empty:
        console.print("No inventory snapshots in the warehouse: no reorder suggestions.")
        return
    title = (
        f"{len(suggestions):,} of {len(stock):,} products need reordering (snapshot "
        f"{stock['snapshot_date'].max():%Y-%m-%d}, lead time {lead_time_weeks} wk, service "
        f"level {service_level:.1%}) → {reorders}"
    )
    if suggestions.empty:
        console.print(title)
        return
    shown = suggestions.rename(columns=_SHORT)[list(_SHORT.values())]
    _print(shown, title, decimals=1)
