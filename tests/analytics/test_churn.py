"""Churn features, labels and the time-split model: hand-made frames and generated store data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from globalcart.analytics.churn import (
    FEATURES,
    SESSION_FEATURES,
    calibration_table,
    churn_features,
    churn_labels,
    run_churn_model,
)
from globalcart.generator import GenerateParams, generate

CUTOFF = pd.Timestamp("2024-07-01")
ORDERS = [
    ("a", "2024-01-01 00:00", 100.0),  # 182 days before CUTOFF (2024 is a leap year)
    ("a", "2024-05-01 00:00", 50.0),  # 61 days
    ("a", "2024-06-21 00:00", 30.0),  # 10 days
    ("a", "2024-07-01 00:00", 999.0),  # at the cutoff: label window, never a feature
    ("b", "2024-03-01 12:00", 40.0),  # 121.5 days
    ("b", "2024-09-29 00:00", 70.0),  # CUTOFF + 90 d: just outside the label window
    ("c", "2024-07-05 00:00", 20.0),  # first order after the cutoff: not in the population
]
SESSIONS = [
    ("a", "2024-06-25 00:00"),  # 6 days
    ("a", "2024-04-01 00:00"),  # 91 days
    ("a", "2024-07-02 00:00"),  # after the cutoff
    (None, "2024-06-30 00:00"),  # anonymous
]


def _orders(rows: list[tuple[str, str, float]] = ORDERS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "order_ts", "amount"])


def _sessions(rows: list[tuple[str | None, str]] = SESSIONS) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "started_at"])


def test_features_by_hand() -> None:
    out = churn_features(_orders(), CUTOFF, _sessions())
    assert list(out.index) == ["a", "b"]
    assert tuple(out.columns) == FEATURES + SESSION_FEATURES
    expected = {
        "a": {
            "recency_days": 10.0,
            "frequency": 3.0,
            "monetary": 180.0,
            "avg_order_value": 60.0,
            "tenure_days": 182.0,
            "avg_gap_days": (182 - 10) / 2,
            "orders_per_30d": 30 * 3 / 182,
            "overdue_ratio": 10 / 86,
            "orders_90d": 2.0,
            "spend_90d": 80.0,
            "spend_prev_90d": 0.0,  # the Jan order is 182 days back, beyond 180
            "spend_trend": 1.0,
            "sessions_30d": 1.0,
            "sessions_90d": 1.0,  # the April session is 91 days back
            "days_since_session": 6.0,
        },
        "b": {
            "recency_days": 121.5,
            "frequency": 1.0,
            "monetary": 40.0,
            "avg_order_value": 40.0,
            "tenure_days": 121.5,
            "avg_gap_days": 121.5,  # one order: time since it
            "orders_per_30d": 30 / 121.5,
            "overdue_ratio": 1.0,
            "orders_90d": 0.0,
            "spend_90d": 0.0,
            "spend_prev_90d": 40.0,
            "spend_trend": -1.0,
            "sessions_30d": 0.0,
            "sessions_90d": 0.0,
            "days_since_session": 121.5 + 365,  # no session: tenure + a year
        },
    }
    for customer, values in expected.items():
        for name, value in values.items():
            assert out.loc[customer, name] == pytest.approx(value), (customer, name)


def test_features_never_use_data_from_or_after_the_cutoff() -> None:
    orders, sessions = _orders(), _sessions()
    before = churn_features(orders, CUTOFF, sessions)
    past_orders = orders[pd.to_datetime(orders["order_ts"]) < CUTOFF]
    past_sessions = sessions[pd.to_datetime(sessions["started_at"]) < CUTOFF]
    pd.testing.assert_frame_equal(before, churn_features(past_orders, CUTOFF, past_sessions))
    rng = np.random.default_rng(0)
    future = pd.DataFrame(
        {
            "customer_id": rng.choice(["a", "b", "z"], 50),
            "order_ts": CUTOFF + pd.to_timedelta(rng.integers(0, 400 * 86_400, 50), unit="s"),
            "amount": rng.uniform(0, 1e6, 50),
        }
    )
    noisy = pd.concat([orders.assign(order_ts=pd.to_datetime(orders["order_ts"])), future])
    future_sessions = future[["customer_id", "order_ts"]].rename(columns={"order_ts": "started_at"})
    more_sessions = pd.concat(
        [sessions.assign(started_at=pd.to_datetime(sessions["started_at"])), future_sessions]
    )
    pd.testing.assert_frame_equal(before, churn_features(noisy, CUTOFF, more_sessions))


def test_labels_by_hand() -> None:
    customers = pd.Index(["a", "b", "x"])
    # window [2024-07-01, 2024-09-29): a orders at 07-01 00:00 (in), b at 09-29 00:00 (out)
    labels = churn_labels(_orders(), customers, CUTOFF)
    assert labels.to_dict() == {"a": 0, "b": 1, "x": 1}
    assert churn_labels(_orders(), customers, CUTOFF, horizon_days=91).to_dict()["b"] == 0


def test_calibration_table_by_hand() -> None:
    y = pd.Series([0, 0, 1, 0, 1, 1])
    p = pd.Series([0.1, 0.2, 0.3, 0.6, 0.7, 0.9])
    out = calibration_table(y, p, bins=3)
    assert out["customers"].tolist() == [2, 2, 2]
    assert out["predicted"].tolist() == pytest.approx([0.15, 0.45, 0.8])
    assert out["observed"].tolist() == pytest.approx([0.0, 0.5, 1.0])


def test_time_split_guards() -> None:
    with pytest.raises(ValueError, match="leakage"):
        run_churn_model(_orders(), "2024-06-01", "2024-07-01")
    with pytest.raises(ValueError, match="data ends"):
        run_churn_model(_orders(), "2024-04-01", "2024-07-05")
    with pytest.raises(ValueError, match="no orders before"):
        churn_features(_orders(), "2023-01-01")


def _usd_orders(landing: Path) -> pd.DataFrame:
    orders = pd.read_parquet(landing / "orders.parquet")
    orders = orders[orders["status"] != "created"]
    fx = pd.read_parquet(landing / "fx_rates.parquet", columns=["date", "currency", "rate_to_usd"])
    orders = orders.assign(date=orders["order_ts"].str[:10])
    orders = orders.merge(fx, on=["date", "currency"], how="left", validate="many_to_one")
    assert orders["rate_to_usd"].notna().all()
    return orders.assign(amount=orders["net_amount"] * orders["rate_to_usd"])


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("landing")
    generate(GenerateParams(scale="small", orders=20_000, out=out, bad_rate=0.0))
    return out


@pytest.mark.parametrize("with_sessions", [False, True])
def test_model_beats_recency_baseline_on_held_out_cutoff(
    landing: Path, with_sessions: bool
) -> None:
    orders = _usd_orders(landing)
    sessions = pd.read_parquet(landing / "sessions.parquet") if with_sessions else None
    report = run_churn_model(orders, "2025-12-01", "2026-03-01", sessions=sessions)
    # Generated data has customers who lapse, so recency alone is a strong baseline. Seeds 42, 1
    # and 7: model 0.795–0.804 (0.811–0.816 with sessions) against 0.772–0.777 for recency.
    assert report.auc > report.baseline_auc + 0.015
    assert 0.5 < report.baseline_auc < report.auc < 1.0
    assert report.n_test > report.n_train > 1_000
    calibration = report.calibration
    assert len(calibration) == 10
    assert calibration["customers"].sum() == report.n_test
    assert calibration["observed"].iloc[-1] > calibration["observed"].iloc[0] + 0.4
    assert (calibration["predicted"].diff().dropna() >= 0).all()
    scores = report.scores
    assert report.score_cutoff == pd.Timestamp("2026-07-01")
    assert scores["churn_score"].between(0, 1).all()
    assert scores.index.is_unique
    assert len(scores) == orders["customer_id"].nunique()
    if with_sessions:
        assert scores["sessions_90d"].sum() > 0
