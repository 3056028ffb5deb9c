"""Warehouse guarantees on the generator's tiny output (a base batch and two increments)."""

from __future__ import annotations

import json
import random
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from snapshot import fast_snapshot, snapshot

from globalcart.contract import ABSORBED_KINDS, QUARANTINE_KINDS
from globalcart.engines import Warehouse, connect
from globalcart.pipeline.load import load_landing
from globalcart.pipeline.runner import build

generator = pytest.importorskip("globalcart.generator", reason="the generator is not available")

CENT = Decimal("0.01")


@pytest.fixture(scope="session")
def batches(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Tiny base batch plus two small incremental batches, generated once per session."""
    base = tmp_path_factory.mktemp("gen") / "base"
    generator.generate(generator.GenerateParams(scale="tiny", out=base))
    out = [base]
    for number in (1, 2):
        nxt = base.parent / f"inc{number}"
        params = generator.GenerateParams(scale="tiny", orders=40, days=7, out=nxt)
        generator.generate(params, from_dir=out[-1])
        out.append(nxt)
    return out


def _manifest(directory: Path) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads((directory / "manifest.json").read_text())
    return manifest


def _expected_quarantine(directories: list[Path]) -> dict[tuple[str, str], int]:
    expected: dict[tuple[str, str], int] = {}
    for directory in directories:
        for table, kinds in _manifest(directory)["anomalies"].items():
            for kind, count in kinds.items():
                if kind in QUARANTINE_KINDS:
                    expected[(table, kind)] = expected.get((table, kind), 0) + count
    return expected


def _quarantine(warehouse: Warehouse) -> dict[tuple[str, str], int]:
    rows = warehouse.query(
        "select table_name, rule, count(*) from quality.quarantine group by 1, 2"
    )
    return {(table, rule): count for table, rule, count in rows}


def _inferred(warehouse: Warehouse) -> int:
    query = "select count(*) from dw.dim_customer where is_inferred and customer_id is not null"
    return int(warehouse.query(query)[0][0])


def _absorbed(directory: Path, kind: str) -> int:
    return sum(k.get(kind, 0) for k in _manifest(directory)["anomalies"].values())


def test_generated_batches_build_incrementally(warehouse: Warehouse, batches: list[Path]) -> None:
    for number, directory in enumerate(batches, start=1):
        load_landing(warehouse, directory)
        build(warehouse)
        # every injected anomaly is quarantined under its kind, counts as in the manifests
        assert _quarantine(warehouse) == _expected_quarantine(batches[:number])
        # unknown customers stay inferred; late-arriving ones are completed by the next batch
        unknown = sum(_absorbed(d, "unknown_customer") for d in batches[:number])
        late = _absorbed(directory, "late_arriving_customer")
        assert _inferred(warehouse) == unknown + late
    rules = {rule for _, rule in _quarantine(warehouse)}
    assert not rules & set(ABSORBED_KINDS)
    # re-sent duplicates are absorbed: one fact row per key
    orders = warehouse.query("select count(*), count(distinct order_id) from dw.fct_orders")
    assert orders[0][0] == orders[0][1]
    incremental = fast_snapshot(warehouse)
    build(warehouse, full=True)
    assert fast_snapshot(warehouse) == incremental


def _d(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def test_net_revenue_recomputed_from_landing(warehouse: Warehouse, batches: list[Path]) -> None:
    base = batches[0]
    load_landing(warehouse, base)
    build(warehouse)
    frames = {
        name: pd.read_parquet(base / f"{name}.parquet")
        for name in ("orders", "fx_rates", "returns", "shipments")
    }
    orders = (
        frames["orders"]
        .sort_values(["ingested_at", "updated_at"])
        .drop_duplicates("order_id", keep="last")
    )
    orders = orders.set_index("order_id")
    rates = {(r.date, r.currency): r.rate_to_usd for r in frames["fx_rates"].itertuples()}
    shipments = (
        frames["shipments"].sort_values("ingested_at").drop_duplicates("shipment_id", keep="last")
    )
    delivered = shipments.groupby("order_id")["delivered_at"].max()
    returns = frames["returns"].sort_values("ingested_at").drop_duplicates("return_id", keep="last")
    revenue = warehouse.query(
        "select order_id, net_revenue_usd from dw.fct_orders where is_revenue order by order_id"
    )
    random.seed(20240601)
    sample = random.sample(revenue, 40)
    for order_id, net_revenue_usd in sample:
        header = orders.loc[order_id]
        rate = _d(rates[(header.order_ts[:10], header.currency)]).quantize(Decimal("1e-10"))

        def usd(amount: Decimal, rate: Decimal = rate) -> Decimal:
            return (amount * rate).quantize(CENT, rounding=ROUND_HALF_UP)

        refund = Decimal(0)
        done = delivered.get(order_id)
        for ret in returns[returns.order_id == order_id].itertuples():
            if pd.notna(ret.refund_amount) and isinstance(done, str) and done:
                days = pd.Timestamp(ret.requested_at) - pd.Timestamp(done)
                if days <= pd.Timedelta(days=30):
                    refund += _d(ret.refund_amount)
        gross, discount = _d(header.gross_amount), _d(header.discount_amount)
        expected = usd(gross) - usd(discount) - usd(refund)
        assert Decimal(net_revenue_usd) == expected, order_id


@pytest.mark.postgres
def test_generated_duckdb_equals_postgres(
    fresh_postgres_url: str, tmp_path: Path, batches: list[Path]
) -> None:
    snapshots = []
    for url in (f"duckdb:///{tmp_path}/wh.duckdb", fresh_postgres_url):
        warehouse = connect(url)
        try:
            for directory in batches[:1]:
                load_landing(warehouse, directory)
                build(warehouse)
            snapshots.append(snapshot(warehouse, schemas=("dw", "marts")))
        finally:
            warehouse.close()
    duck, pg = snapshots
    assert [table for table in duck if duck[table] != pg.get(table)] == []
