"""Churn model: per-customer features as of a cutoff, label = no order in the next 90 days.

Time convention: a cutoff is an instant. Features use only orders (and sessions) strictly before
it; the label looks at ``[cutoff, cutoff + horizon)``. The population at a cutoff is every
customer with an order before it. Evaluation is time-based: fit on an earlier cutoff whose label
window ends by the later (test) cutoff, evaluate on the later one, so nothing the model sees
comes from after the moment it is evaluated at. Scores for ``score_cutoff`` (default: the end of
the data) come from a refit on the test cutoff, the latest one with fully observed labels.
The model is a logistic regression on signed-log, standardised features (on the generator's data
it matched or beat gradient boosting, trains in milliseconds and needs no seed).
The baseline scores churn by recency alone (days since the last order); its AUC equals that of
any monotone model of recency, such as a logistic regression on it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

HORIZON_DAYS = 90
FEATURES = (
    "recency_days",
    "frequency",
    "monetary",
    "avg_order_value",
    "tenure_days",
    "avg_gap_days",
    "orders_per_30d",
    "overdue_ratio",
    "orders_90d",
    "spend_90d",
    "spend_prev_90d",
    "spend_trend",
)
SESSION_FEATURES = ("sessions_30d", "sessions_90d", "days_since_session")
_DAY = pd.Timedelta(days=1)


def _frame(data: pd.DataFrame, ts_col: str, extra: list[str]) -> pd.DataFrame:
    missing = {"customer_id", ts_col, *extra} - set(data.columns)
    if missing:
        raise ValueError(f"frame lacks columns: {sorted(missing)}")
    known = data["customer_id"].notna().to_numpy()
    out = data.loc[known, ["customer_id", *extra]].reset_index(drop=True)
    out["ts"] = pd.to_datetime(data[ts_col]).to_numpy()[known]
    if out["ts"].isna().any():
        raise ValueError(f"{ts_col!r} has missing or unparseable timestamps")
    return out


def _days_before(cut: pd.Timestamp, ts: pd.Series) -> pd.Series:
    days: pd.Series = (cut - ts).dt.total_seconds() / 86_400.0
    return days


def churn_features(
    orders: pd.DataFrame,
    cutoff: pd.Timestamp | str,
    sessions: pd.DataFrame | None = None,
    amount_col: str = "amount",
) -> pd.DataFrame:
    """One row per customer with an order before ``cutoff``; columns FEATURES (+ sessions)."""
    cut = pd.Timestamp(cutoff)
    frame = _frame(orders, "order_ts", [amount_col])
    frame = frame[frame["ts"] < cut]
    if frame.empty:
        raise ValueError(f"no orders before cutoff {cut}")
    frame["age"] = _days_before(cut, frame["ts"])
    frame["amount"] = frame[amount_col].astype(np.float64)
    grouped = frame.groupby("customer_id", sort=True)
    out = pd.DataFrame(
        {
            "recency_days": grouped["age"].min(),
            "frequency": grouped.size().astype(np.float64),
            "monetary": grouped["amount"].sum(),
            "tenure_days": grouped["age"].max(),
        }
    )
    out["avg_order_value"] = out["monetary"] / out["frequency"]
    span = out["tenure_days"] - out["recency_days"]
    # one-order customers: the time since that order is a lower bound on their gap
    out["avg_gap_days"] = np.where(
        out["frequency"] > 1, span / (out["frequency"] - 1).clip(lower=1), out["tenure_days"]
    )
    out["orders_per_30d"] = 30.0 * out["frequency"] / out["tenure_days"].clip(lower=30.0)
    out["overdue_ratio"] = out["recency_days"] / out["avg_gap_days"].clip(lower=1.0)
    recent = frame[frame["age"] <= HORIZON_DAYS].groupby("customer_id")
    previous = frame[(frame["age"] > HORIZON_DAYS) & (frame["age"] <= 2 * HORIZON_DAYS)]
    out["orders_90d"] = recent.size().reindex(out.index).fillna(0.0)
    out["spend_90d"] = recent["amount"].sum().reindex(out.index).fillna(0.0)
    prev_spend = previous.groupby("customer_id")["amount"].sum()
    out["spend_prev_90d"] = prev_spend.reindex(out.index).fillna(0.0)
    total = out["spend_90d"] + out["spend_prev_90d"]
    diff = out["spend_90d"] - out["spend_prev_90d"]
    out["spend_trend"] = (diff / total.where(total > 0)).fillna(0.0)  # in [-1, 1]
    columns = list(FEATURES)
    if sessions is not None:
        sess = _frame(sessions, "started_at", [])
        sess = sess[sess["ts"] < cut]
        sess["age"] = _days_before(cut, sess["ts"])
        by_customer = sess.groupby("customer_id")
        for days in (30, 90):
            counts = sess[sess["age"] <= days].groupby("customer_id").size()
            out[f"sessions_{days}d"] = counts.reindex(out.index).fillna(0.0)
        last_session = by_customer["age"].min().reindex(out.index)
        out["days_since_session"] = last_session.fillna(out["tenure_days"] + 365.0)
        columns += list(SESSION_FEATURES)
    return out[columns].astype(np.float64)


def churn_labels(
    orders: pd.DataFrame,
    customers: pd.Index,
    cutoff: pd.Timestamp | str,
    horizon_days: int = HORIZON_DAYS,
) -> pd.Series:
    """1 if the customer has no order in ``[cutoff, cutoff + horizon_days)``, else 0."""
    cut = pd.Timestamp(cutoff)
    frame = _frame(orders, "order_ts", [])
    window = frame[(frame["ts"] >= cut) & (frame["ts"] < cut + horizon_days * _DAY)]
    active = customers.isin(window["customer_id"].unique())
    return pd.Series((~active).astype(np.int64), index=customers, name="churned")


def calibration_table(y_true: pd.Series, y_score: pd.Series, bins: int = 10) -> pd.DataFrame:
    """Per score decile (1 = lowest): customers, mean predicted and observed churn."""
    ranks = y_score.rank(method="first")
    decile = pd.qcut(ranks, q=min(bins, len(ranks)), labels=False) + 1
    frame = pd.DataFrame({"decile": decile, "y": y_true, "p": y_score})
    grouped = frame.groupby("decile")
    out = pd.DataFrame(
        {
            "customers": grouped.size(),
            "predicted": grouped["p"].mean(),
            "observed": grouped["y"].mean(),
            "min_score": grouped["p"].min(),
            "max_score": grouped["p"].max(),
        }
    )
    out["gap"] = out["predicted"] - out["observed"]
    return out


@dataclass(frozen=True)
class ChurnReport:
    """Held-out evaluation of the churn model and per-customer scores at ``score_cutoff``."""

    train_cutoff: pd.Timestamp
    test_cutoff: pd.Timestamp
    score_cutoff: pd.Timestamp
    n_train: int
    n_test: int
    test_churn_rate: float
    auc: float
    baseline_auc: float
    calibration: pd.DataFrame
    scores: pd.DataFrame


def signed_log(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``sign(x) * log1p(|x|)``: tames the long tails of counts, amounts and day spans."""
    return np.sign(x) * np.log1p(np.abs(x))


def make_model() -> Pipeline:
    """Signed-log features, standardised, into an L2 logistic regression (deterministic)."""
    return make_pipeline(
        FunctionTransformer(signed_log), StandardScaler(), LogisticRegression(max_iter=1000)
    )


def _labelled(
    orders: pd.DataFrame,
    cutoff: pd.Timestamp,
    sessions: pd.DataFrame | None,
    amount_col: str,
    horizon_days: int,
) -> tuple[pd.DataFrame, pd.Series]:
    features = churn_features(orders, cutoff, sessions, amount_col)
    return features, churn_labels(orders, features.index, cutoff, horizon_days)


def run_churn_model(
    orders: pd.DataFrame,
    train_cutoff: pd.Timestamp | str,
    test_cutoff: pd.Timestamp | str,
    sessions: pd.DataFrame | None = None,
    score_cutoff: pd.Timestamp | str | None = None,
    amount_col: str = "amount",
    horizon_days: int = HORIZON_DAYS,
) -> ChurnReport:
    """Fit at ``train_cutoff``, evaluate at ``test_cutoff``, refit there and score at the end."""
    train_cut, test_cut = pd.Timestamp(train_cutoff), pd.Timestamp(test_cutoff)
    horizon = horizon_days * _DAY
    if train_cut + horizon > test_cut:
        raise ValueError("train_cutoff + horizon must not be after test_cutoff (label leakage)")
    data_end = _frame(orders, "order_ts", [])["ts"].max()
    if test_cut + horizon > data_end:
        raise ValueError(f"test labels need orders to {test_cut + horizon}; data ends {data_end}")
    x_train, y_train = _labelled(orders, train_cut, sessions, amount_col, horizon_days)
    x_test, y_test = _labelled(orders, test_cut, sessions, amount_col, horizon_days)
    if y_train.nunique() < 2 or y_test.nunique() < 2:
        raise ValueError("both cutoffs need churned and retained customers")
    model = make_model().fit(x_train, y_train)
    p_test = pd.Series(model.predict_proba(x_test)[:, 1], index=x_test.index)
    auc = float(roc_auc_score(y_test, p_test))
    baseline_auc = float(roc_auc_score(y_test, x_test["recency_days"]))
    final = make_model().fit(x_test, y_test)
    score_cut = (
        data_end.normalize() + pd.Timedelta(days=1)
        if score_cutoff is None
        else pd.Timestamp(score_cutoff)
    )
    x_score = churn_features(orders, score_cut, sessions, amount_col)
    scores = x_score.assign(churn_score=final.predict_proba(x_score)[:, 1])
    return ChurnReport(
        train_cutoff=train_cut,
        test_cutoff=test_cut,
        score_cutoff=score_cut,
        n_train=len(y_train),
        n_test=len(y_test),
        test_churn_rate=float(y_test.mean()),
        auc=auc,
        baseline_auc=baseline_auc,
        calibration=calibration_table(y_test, p_test),
        scores=scores.sort_values("churn_score", ascending=False),
    )
