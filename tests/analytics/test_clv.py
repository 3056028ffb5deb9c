"""BG/NBD + Gamma-Gamma: reproduce Fader, Hardie & Lee on CDNOW; closed forms vs simulation."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from globalcart.analytics.clv import (
    BGNBDParams,
    GammaGammaParams,
    customer_lifetime_value,
    expected_average_spend,
    expected_purchases,
    fit_bgnbd,
    fit_gamma_gamma,
    probability_alive,
    summary_from_transactions,
)

CDNOW_DIR = Path(
    os.environ.get(
        "GLOBALCART_CDNOW_DIR", Path(__file__).resolve().parents[3] / "shared/datasets/cdnow"
    )
)
CALIBRATION_END = "1997-09-30"  # 39 weeks from 1997-01-01, the same calendar date for everyone

needs_cdnow = pytest.mark.skipif(
    not (CDNOW_DIR / "CDNOW_sample.txt").is_file(),
    reason=f"CDNOW dataset not found at {CDNOW_DIR} (set GLOBALCART_CDNOW_DIR)",
)

PUBLISHED = BGNBDParams(
    r=0.243, alpha=4.414, a=0.793, b=2.426, log_likelihood=-9582.4, n_customers=0
)


@pytest.fixture(scope="module")
def cdnow_summary() -> pd.DataFrame:
    return pd.read_csv(CDNOW_DIR / "cdnow_customers_summary.csv", index_col="ID")


@pytest.fixture(scope="module")
def cdnow_sample() -> pd.DataFrame:
    # Real layout: master id, sample id 1..2357 (= ID in the summary csv, not a cohort),
    # yyyymmdd, number of CDs, dollars.
    frame = pd.read_csv(
        CDNOW_DIR / "CDNOW_sample.txt",
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "dollars"],
        dtype={"master_id": str, "date": str},
    )
    frame["order_ts"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    return frame


@pytest.fixture(scope="module")
def sample_summary(cdnow_sample: pd.DataFrame) -> pd.DataFrame:
    return summary_from_transactions(
        cdnow_sample, "customer_id", "order_ts", "dollars", observation_end=CALIBRATION_END
    )


@needs_cdnow
def test_summary_from_sample_matches_published_summary(
    cdnow_summary: pd.DataFrame, sample_summary: pd.DataFrame
) -> None:
    assert len(sample_summary) == 2357
    assert (sample_summary.index == cdnow_summary.index).all()
    assert (sample_summary["frequency"] == cdnow_summary["frequency"]).all()
    # the csv rounds to 2 decimals
    assert np.allclose(sample_summary["recency"], cdnow_summary["recency"], atol=0.005)
    assert np.allclose(sample_summary["T"], cdnow_summary["T"], atol=0.005)


@needs_cdnow
def test_bgnbd_reproduces_published_parameters(cdnow_summary: pd.DataFrame) -> None:
    fitted = fit_bgnbd(cdnow_summary)
    for name in ("r", "alpha", "a", "b"):
        assert getattr(fitted, name) == pytest.approx(getattr(PUBLISHED, name), rel=0.01), name
    assert fitted.log_likelihood == pytest.approx(PUBLISHED.log_likelihood, abs=0.1)
    assert fitted.n_customers == 2357


@needs_cdnow
def test_gamma_gamma_reproduces_published_parameters(sample_summary: pd.DataFrame) -> None:
    repeaters = sample_summary[sample_summary["frequency"] > 0]
    assert len(repeaters) == 946
    assert repeaters["monetary_value"].mean() == pytest.approx(35.078, abs=0.001)
    fitted = fit_gamma_gamma(sample_summary)
    assert fitted.n_customers == 946
    assert fitted.p == pytest.approx(6.25, rel=0.01)
    assert fitted.q == pytest.approx(3.74, rel=0.01)
    assert fitted.v == pytest.approx(15.44, rel=0.01)


def test_expected_purchases_worked_example() -> None:
    # FHL (2005): x=2, t_x=30.43, T=38.86 -> 1.226 expected purchases in the next 39 weeks.
    summary = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]})
    params = BGNBDParams(0.242594, 4.413588, 0.792919, 2.425891, 0.0, 0)
    assert expected_purchases(params, summary, 39.0).iloc[0] == pytest.approx(1.226, abs=5e-4)


def test_expected_purchases_new_customer_matches_simulation() -> None:
    params = BGNBDParams(r=0.8, alpha=3.0, a=1.5, b=4.0, log_likelihood=0.0, n_customers=0)
    horizon = 20.0
    rng = np.random.default_rng(7)
    n = 400_000
    lam = rng.gamma(params.r, 1.0 / params.alpha, n)
    drop = rng.beta(params.a, params.b, n)
    purchases_before_dropout = rng.geometric(drop)  # drops out right after the K-th purchase
    simulated = np.minimum(rng.poisson(lam * horizon), purchases_before_dropout).mean()
    fresh = pd.DataFrame({"frequency": [0], "recency": [0.0], "T": [0.0]})
    closed_form = expected_purchases(params, fresh, horizon).iloc[0]
    assert closed_form == pytest.approx(simulated, rel=0.02)


def test_p_alive_and_expected_purchases_properties() -> None:
    params = BGNBDParams(0.243, 4.414, 0.793, 2.426, 0.0, 0)
    summary = pd.DataFrame(
        {"frequency": [0, 3, 3], "recency": [0.0, 30.0, 5.0], "T": [30.0, 31.0, 31.0]},
        index=["a", "b", "c"],
    )
    alive = probability_alive(params, summary)
    assert alive["a"] == 1.0
    assert alive["b"] > alive["c"]  # a recent last purchase means more likely alive
    short = expected_purchases(params, summary, 10.0)
    long = expected_purchases(params, summary, 50.0)
    assert (long > short).all() and (short > 0).all()
    assert (expected_purchases(params, summary, 0.0) == 0).all()


def test_gamma_gamma_recovers_simulated_parameters() -> None:
    rng = np.random.default_rng(11)
    p, q, v = 6.0, 4.0, 15.0
    n = 5000
    x = rng.integers(1, 8, n)
    nu = rng.gamma(q, 1.0 / v, n)
    means = np.array([rng.gamma(p, 1.0 / nu_i, k).mean() for nu_i, k in zip(nu, x, strict=True)])
    fitted = fit_gamma_gamma(pd.DataFrame({"frequency": x, "monetary_value": means}))
    assert fitted.p == pytest.approx(p, rel=0.1)
    assert fitted.q == pytest.approx(q, rel=0.1)
    assert fitted.v == pytest.approx(v, rel=0.15)


def test_expected_average_spend_shrinks_towards_population_mean() -> None:
    params = GammaGammaParams(p=6.25, q=3.74, v=15.44, log_likelihood=0.0, n_customers=0)
    summary = pd.DataFrame({"frequency": [0, 1, 20], "monetary_value": [0.0, 100.0, 100.0]})
    spend = expected_average_spend(params, summary)
    population = 6.25 * 15.44 / (3.74 - 1)
    assert spend.iloc[0] == pytest.approx(population)
    assert population < spend.iloc[1] < spend.iloc[2] < 100.0


def test_summary_from_transactions_conventions() -> None:
    tx = pd.DataFrame(
        {
            "customer_id": ["A", "A", "A", "A", "B", "C"],
            "order_ts": pd.to_datetime(
                [
                    "2024-01-01 09:00",
                    "2024-01-01 18:00",
                    "2024-01-15 00:00",
                    "2024-03-01 00:00",
                    "2024-01-29 00:00",
                    "2024-02-05 00:00",
                ]
            ),
            "amount": [10.0, 5.0, 30.0, 999.0, 20.0, 7.0],
        }
    )
    out = summary_from_transactions(tx, observation_end="2024-01-29", freq="W")
    assert list(out.index) == ["A", "B"]  # C and A's March order are after the end
    a = out.loc["A"]
    assert a["frequency"] == 1  # two orders on 1 Jan are one purchase day
    assert a["recency"] == pytest.approx(2.0)
    assert a["T"] == pytest.approx(4.0)
    assert a["monetary_value"] == pytest.approx(30.0)  # repeat purchases only
    b = out.loc["B"]
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0.0, 0.0, 0.0)
    days = summary_from_transactions(tx, observation_end="2024-01-29", freq="D")
    assert days.loc["A", "T"] == 28.0
    with pytest.raises(ValueError, match="freq"):
        summary_from_transactions(tx, freq="M")
    with pytest.raises(ValueError, match="lack columns"):
        summary_from_transactions(tx, monetary_col="revenue")


def test_clv_discounting_and_horizon() -> None:
    bg = BGNBDParams(0.243, 4.414, 0.793, 2.426, 0.0, 0)
    gg = GammaGammaParams(6.25, 3.74, 15.44, 0.0, 0)
    summary = pd.DataFrame(
        {
            "frequency": [0, 2, 6],
            "recency": [0.0, 30.43, 35.0],
            "T": [38.86, 38.86, 38.86],
            "monetary_value": [0.0, 40.0, 25.0],
        }
    )
    undiscounted = customer_lifetime_value(bg, gg, summary, horizon=52.0, step=52.0)
    expected = expected_purchases(bg, summary, 52.0) * expected_average_spend(gg, summary)
    assert np.allclose(undiscounted["clv"], expected)
    weekly = customer_lifetime_value(bg, gg, summary, horizon=52.0, step=1.0)
    assert np.allclose(weekly["clv"], expected)  # no discounting: step size is irrelevant
    discounted = customer_lifetime_value(bg, gg, summary, 52.0, discount_rate=0.01, step=1.0)
    assert (discounted["clv"] < weekly["clv"]).all() and (discounted["clv"] > 0).all()
    half_margin = customer_lifetime_value(bg, gg, summary, 52.0, step=52.0, margin=0.5)
    assert np.allclose(half_margin["clv"], 0.5 * expected)
    longer = customer_lifetime_value(bg, gg, summary, horizon=104.0, discount_rate=0.01)
    assert (longer["clv"] > discounted["clv"]).all()
    with pytest.raises(ValueError):
        customer_lifetime_value(bg, gg, summary, horizon=0.0)
