"""RFM quintile scores and named segments from a transactions frame (one row per order).

Scores are 1-5 (5 = best: most recent, most frequent, highest spend). A customer's score is
``1 + floor(5 * (rank - 1) / n)`` where ``rank`` is the 1-based "min" rank among ``n`` customers
(worst first), so equal values always get equal scores and the result does not depend on row order.
Segments come from the recency score and ``fm_score = round-half-up((F + M) / 2)`` on the grid
``SEGMENT_GRID`` (rows R = 1..5, columns FM = 1..5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEGMENTS = (
    "Champions",
    "Loyal",
    "Potential Loyalist",
    "New Customers",
    "Promising",
    "Need Attention",
    "About To Sleep",
    "At Risk",
    "Can't Lose Them",
    "Hibernating",
    "Lost",
)

_LOST, _HIB, _RISK, _CANT = "Lost", "Hibernating", "At Risk", "Can't Lose Them"
_SLEEP, _ATTN, _LOYAL = "About To Sleep", "Need Attention", "Loyal"
_PROM, _POT, _NEW, _CHAMP = "Promising", "Potential Loyalist", "New Customers", "Champions"

SEGMENT_GRID: dict[int, tuple[str, str, str, str, str]] = {
    1: (_LOST, _LOST, _RISK, _RISK, _CANT),
    2: (_HIB, _HIB, _RISK, _RISK, _CANT),
    3: (_SLEEP, _SLEEP, _ATTN, _LOYAL, _LOYAL),
    4: (_PROM, _POT, _POT, _LOYAL, _LOYAL),
    5: (_NEW, _POT, _POT, _CHAMP, _CHAMP),
}


def quintile_score(values: pd.Series, higher_is_better: bool = True) -> pd.Series:
    """1-5 score from the "min" rank (ties share the lower score)."""
    if values.isna().any():
        raise ValueError(f"{values.name!r} has missing values")
    n = len(values)
    rank = values.rank(method="min", ascending=higher_is_better).to_numpy(dtype=np.float64)
    score = 1 + np.floor(5 * (rank - 1) / n).astype(np.int64)
    return pd.Series(score, index=values.index, name=values.name)


def segment_for(r_score: int, fm_score: int) -> str:
    """Named segment for a recency score and a combined frequency-monetary score."""
    if not (1 <= r_score <= 5 and 1 <= fm_score <= 5):
        raise ValueError(f"scores must be in 1..5, got R={r_score}, FM={fm_score}")
    return SEGMENT_GRID[r_score][fm_score - 1]


def rfm_table(
    transactions: pd.DataFrame,
    as_of: pd.Timestamp | str,
    customer_col: str = "customer_id",
    datetime_col: str = "order_ts",
    monetary_col: str = "amount",
) -> pd.DataFrame:
    """Per-customer recency_days, frequency, monetary, R/F/M/FM scores, rfm_cell and segment.

    Orders up to the end of the ``as_of`` day count; recency is whole days from the last order to
    ``as_of``; frequency is the number of orders; monetary is their total amount.
    """
    missing = {customer_col, datetime_col, monetary_col} - set(transactions.columns)
    if missing:
        raise ValueError(f"transactions lack columns: {sorted(missing)}")
    cutoff = pd.Timestamp(as_of).normalize()
    day = pd.to_datetime(transactions[datetime_col]).dt.normalize()
    frame = transactions[[customer_col, monetary_col]].assign(_day=day.to_numpy())
    frame = frame[(day <= cutoff).to_numpy()]
    if frame.empty:
        raise ValueError("no transactions on or before as_of")
    grouped = frame.groupby(customer_col, sort=True)
    last = grouped["_day"].max()
    out = pd.DataFrame(
        {
            "recency_days": (cutoff - last).dt.days.astype(np.int64),
            "frequency": grouped.size().astype(np.int64),
            "monetary": grouped[monetary_col].sum().astype(np.float64),
        }
    )
    out["r_score"] = quintile_score(out["recency_days"], higher_is_better=False)
    out["f_score"] = quintile_score(out["frequency"])
    out["m_score"] = quintile_score(out["monetary"])
    out["fm_score"] = (out["f_score"] + out["m_score"] + 1) // 2
    out["rfm_cell"] = (
        out["r_score"].astype(str) + out["f_score"].astype(str) + out["m_score"].astype(str)
    )
    out["segment"] = [
        segment_for(int(r), int(fm)) for r, fm in zip(out["r_score"], out["fm_score"], strict=True)
    ]
    return out


def segment_summary(rfm: pd.DataFrame) -> pd.DataFrame:
    """Customers, share, mean recency/frequency/monetary and total monetary per segment."""
    grouped = rfm.groupby("segment")
    out = pd.DataFrame(
        {
            "customers": grouped.size(),
            "avg_recency_days": grouped["recency_days"].mean(),
            "avg_frequency": grouped["frequency"].mean(),
            "avg_monetary": grouped["monetary"].mean(),
            "total_monetary": grouped["monetary"].sum(),
        }
    )
    out["share"] = out["customers"] / out["customers"].sum()
    order = [s for s in SEGMENTS if s in out.index]
    return out.loc[order]
