"""Weekly demand series, category forecasts and reorder maths, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from globalcart.analytics.demand import (
    Z_975,
    category_backtest,
    complete_weeks,
    demand_shares,
    forecast_categories,
    lead_time_demand,
    reorder_suggestions,
    weekly_units,
)

Z_95 = 1.6448536269514722  # z of a 95 % service level


def test_complete_weeks_keep_only_whole_iso_weeks() -> None:
    # 2024-07-02 is a Tuesday and 2024-07-30 a Tuesday: whole weeks start 07-08, 07-15, 07-22
    weeks = complete_weeks(pd.Timestamp("2024-07-02"), pd.Timestamp("2024-07-30 13:00"))
    assert [f"{w:%Y-%m-%d}" for w in weeks] == ["2024-07-08", "2024-07-15", "2024-07-22"]
    # a Monday start and a Sunday end are whole weeks themselves
    weeks = complete_weeks(pd.Timestamp("2024-07-08"), pd.Timestamp("2024-07-21"))
    assert [f"{w:%Y-%m-%d}" for w in weeks] == ["2024-07-08", "2024-07-15"]
    assert len(complete_weeks(pd.Timestamp("2024-07-09"), pd.Timestamp("2024-07-14"))) == 0


def test_weekly_units_sum_by_iso_week_and_fill_empty_weeks() -> None:
    daily = pd.DataFrame(
        {
            "category": ["A", "A", "A", "B", "A"],
            "order_date": pd.to_datetime(
                ["2024-07-07", "2024-07-08", "2024-07-14", "2024-07-16", "2024-07-29"]
            ),
            "units": [100, 2, 3, 5, 7],
        }
    )
    weeks = complete_weeks(pd.Timestamp("2024-07-02"), pd.Timestamp("2024-07-28"))
    out = weekly_units(daily, weeks, "category").set_index(["category", "week_start"])["units"]
    # 07-07 (Sunday before the first whole week) and 07-29 (after the last) fall outside
    assert out.to_dict() == {
        ("A", pd.Timestamp("2024-07-08")): 5.0,
        ("A", pd.Timestamp("2024-07-15")): 0.0,
        ("A", pd.Timestamp("2024-07-22")): 0.0,
        ("B", pd.Timestamp("2024-07-08")): 0.0,
        ("B", pd.Timestamp("2024-07-15")): 5.0,
        ("B", pd.Timestamp("2024-07-22")): 0.0,
    }


def _history(weeks: int = 60, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=weeks, freq="W-MON")
    frames = [
        pd.DataFrame({"category": name, "week_start": index, "units": rng.poisson(mean, weeks)})
        for name, mean in (("Books", 40), ("Toys", 8))
    ]
    return pd.concat(frames, ignore_index=True).astype({"units": float})


def test_category_forecasts_nest_their_intervals_and_follow_the_level() -> None:
    history = _history()
    out = forecast_categories(history, horizon=6)
    ahead = out[out["is_forecast"]]
    assert len(ahead) == 12 and len(out) == 12 + len(history)
    assert (
        ahead["week_start"].groupby(ahead["category"]).min() == pd.Timestamp("2025-02-24")
    ).all()
    assert (ahead["lo95"] <= ahead["lo80"]).all() and (ahead["lo80"] <= ahead["units"]).all()
    assert (ahead["units"] <= ahead["hi80"]).all() and (ahead["hi80"] <= ahead["hi95"]).all()
    assert (ahead["lo95"] >= 0).all()
    level = ahead.groupby("category")["units"].mean()
    assert abs(level["Books"] - 40) < 6 and abs(level["Toys"] - 8) < 3
    past = out[~out["is_forecast"]]
    assert past["lo80"].isna().all()
    merged = past.merge(history, on=["category", "week_start"], suffixes=("", "_in"))
    assert (merged["units"] == merged["units_in"]).all()


def test_category_backtest_compares_with_the_naive_baseline() -> None:
    scores = category_backtest(_history(), horizon=4)
    assert list(scores.index) == ["Books", "Toys"]
    assert {"smape_model", "smape_naive"} <= set(scores.columns)
    assert category_backtest(_history(weeks=20), horizon=4).empty


def test_lead_time_demand_sums_forecast_and_variance() -> None:
    forecasts = pd.DataFrame(
        {
            "category": ["A"] * 4,
            "week_start": pd.date_range("2025-01-06", periods=4, freq="W-MON"),
            "units": [10.0, 20.0, 30.0, 40.0],
            "is_forecast": [False, True, True, True],
            "sigma": [np.nan, 3.0, 4.0, 12.0],
        }
    )
    out = lead_time_demand(forecasts, weeks=2)
    assert out.loc["A", "demand"] == 50.0  # the first two forecast weeks
    assert out.loc["A", "variance"] == 25.0  # 3^2 + 4^2
    with pytest.raises(ValueError, match="fewer than 4 weeks"):
        lead_time_demand(forecasts, weeks=4)


def test_shares_split_each_category() -> None:
    recent = pd.DataFrame(
        {"product_id": [1, 2, 3, 4], "category": ["A", "A", "B", "C"], "units": [30, 10, 5, 0]}
    )
    shares = demand_shares(recent).set_index("product_id")["share"]
    assert shares.to_dict() == {1: 0.75, 2: 0.25, 3: 1.0, 4: 0.0}


def test_reorder_suggestions_by_hand() -> None:
    category = pd.DataFrame({"demand": [100.0], "variance": [64.0]}, index=["A"])
    category.index.name = "category"
    shares = pd.DataFrame({"product_id": [1, 2, 3], "share": [0.5, 0.5, 0.0]})
    stock = pd.DataFrame(
        {
            "product_id": [1, 2, 3, 4],
            "category": ["A", "A", "A", "A"],
            "on_hand": [40, 500, 0, 0],
            "allocated": [5, 0, 0, 0],
            "inbound": [10, 0, 0, 0],
            "reorder_point": [60, 10, 0, 0],
        }
    )
    out = reorder_suggestions(stock, shares, category, lead_time_weeks=2, service_level=0.95)
    # product 1: demand 50, sd = sqrt(0.25 * 64 + 0.25 * 100) = sqrt(41), safety = z * sd;
    # order ceil(50 + 1.6449 * 6.4031 - (40 - 5) - 10) = ceil(15.53) = 16
    assert list(out["product_id"]) == [1]  # 2 has ample stock, 3 and 4 sell nothing
    row = out.iloc[0]
    assert row["lead_time_demand"] == pytest.approx(50.0)
    assert row["safety_stock"] == pytest.approx(Z_95 * math.sqrt(41.0))
    assert row["suggested_qty"] == 16
    assert row["weeks_of_cover"] == pytest.approx(45 * 2 / 50)
    assert row["reason"] == (
        "35 available + 10 inbound < 2-week demand 50.0 + safety stock 10.5; "
        "below the reorder point"
    )
    higher = reorder_suggestions(stock, shares, category, 2, service_level=0.99)
    assert higher.iloc[0]["suggested_qty"] > 16
    with pytest.raises(ValueError, match="service_level"):
        reorder_suggestions(stock, shares, category, 2, service_level=1.0)


def test_sigma_is_read_back_from_the_95_interval() -> None:
    out = forecast_categories(_history(), horizon=3)
    ahead = out[out["is_forecast"] & (out["category"] == "Books")]
    width = (ahead["units"] - ahead["lo95"]) / Z_975
    assert np.allclose(width, ahead["sigma"], rtol=1e-6)  # Books never clips at 0
