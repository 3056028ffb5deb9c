"""Every injected anomaly can be found in the files, and the manifest counts each one exactly."""

from __future__ import annotations

import pandas as pd
import pytest

from globalcart.contract import QUARANTINE_KINDS, landing_table
from globalcart.generator.anomalies import AMOUNT_COLUMN, BAD_ID_BASE, BAD_KINDS, DATE_COLUMN
from tests.generator.landing import Landing

TS_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$"


def _found(landing: Landing, table: str, kind: str) -> int:
    """Count rows of a kind with the test's own rule, not the generator's."""
    df = landing.df(table)
    extracted = pd.Timestamp(landing.manifest["extracted_at"], tz="UTC")
    key = landing_table(table).key[0]
    if kind == "resent_duplicate":
        return int((df["ingested_at"] > extracted).sum())
    if kind == "missing_key":
        return int(df[key].isna().sum())
    if kind == "malformed_date":
        return int((~df[DATE_COLUMN[table]].fillna("").str.match(TS_PATTERN)).sum())
    if kind == "future_date":
        text = df[DATE_COLUMN[table]].where(df[DATE_COLUMN[table]].str.match(TS_PATTERN, na=False))
        return int((pd.to_datetime(text, utc=True) > extracted).sum())
    if kind == "negative_amount":
        return int((df[AMOUNT_COLUMN[table]] < 0).sum())
    if kind == "unknown_currency":
        return int((~df["currency"].isin(landing.df("fx_rates")["currency"])).sum())
    if kind == "unknown_product":
        return int((~df["product_id"].dropna().isin(landing.df("products")["product_id"])).sum())
    if kind == "negative_quantity":
        return int((df["qty"] < 0).sum())
    if kind == "unknown_customer":
        return int((df["customer_id"] >= BAD_ID_BASE).sum())
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("table", "kind"),
    [(t, k) for t, kinds in BAD_KINDS.items() for k in (*kinds, "resent_duplicate")]
    + [("orders", "unknown_customer")],
)
def test_manifest_counts_match_the_rows(tiny: Landing, table: str, kind: str) -> None:
    expected = tiny.anomalies(table).get(kind, 0)
    assert expected > 0, f"{table}: no {kind} injected at the default bad rate"
    # Duplicates copy clean rows, so a duplicated row never carries another kind's defect.
    assert _found(tiny, table, kind) == expected


def test_every_quarantine_kind_is_injected_somewhere(tiny: Landing) -> None:
    totals = tiny.manifest["anomaly_totals"]
    for kind in (*QUARANTINE_KINDS, "resent_duplicate", "unknown_customer"):
        assert totals.get(kind, 0) > 0, kind


def test_bad_rate_zero_injects_nothing(clean: Landing) -> None:
    assert clean.manifest["anomalies"] == {}
    for table, kinds in BAD_KINDS.items():
        for kind in (*kinds, "resent_duplicate"):
            assert _found(clean, table, kind) == 0, (table, kind)
    assert _found(clean, "orders", "unknown_customer") == 0


def test_late_customers_arrive_with_the_next_batch(
    tiny: Landing, incremental: tuple[Landing, Landing]
) -> None:
    held = tiny.anomalies("customers").get("late_arriving_customer", 0)
    assert held > 0
    known = set(tiny.df("customers")["customer_id"].dropna())
    buyers = set(tiny.df("orders")["customer_id"].dropna())
    missing = {c for c in buyers - known if c < BAD_ID_BASE}
    assert len(missing) == held
    assert missing <= set(incremental[0].df("customers")["customer_id"])
