from __future__ import annotations

from pathlib import Path

from globalcart.contract import TABLES
from globalcart.generator import GenerateParams, generate
from tests.generator.landing import Landing


def _checksums(manifest: dict[str, object]) -> dict[str, str]:
    tables = manifest["tables"]
    assert isinstance(tables, dict)
    return {f: h for t in tables.values() for f, h in t["sha256"].items()}


def test_same_parameters_give_byte_identical_files(tiny: Landing, tmp_path: Path) -> None:
    again = generate(GenerateParams(scale="tiny", out=tmp_path / "again"))
    assert _checksums(again) == _checksums(tiny.manifest)
    for relative in _checksums(again):
        assert (tmp_path / "again" / relative).read_bytes() == (tiny.dir / relative).read_bytes()


def test_another_seed_gives_other_data(tiny: Landing, tmp_path: Path) -> None:
    other = generate(GenerateParams(scale="tiny", seed=43, out=tmp_path / "other"))
    assert _checksums(other)["orders.parquet"] != _checksums(tiny.manifest)["orders.parquet"]


def test_every_landing_table_is_written_with_the_contract_schema(tiny: Landing) -> None:
    for spec in TABLES:
        table = tiny.arrow(spec.name)
        assert table.schema.equals(spec.schema), spec.name
        assert table.num_rows == tiny.manifest["tables"][spec.name]["rows"] > 0, spec.name


def test_csv_format_has_the_same_rows(tiny: Landing, tmp_path: Path) -> None:
    generate(GenerateParams(scale="tiny", out=tmp_path / "csv", file_format="csv"))
    csv = Landing(tmp_path / "csv")
    for spec in TABLES:
        assert csv.manifest["tables"][spec.name]["files"][0].endswith(".csv")
        assert csv.arrow(spec.name).num_rows == tiny.arrow(spec.name).num_rows, spec.name
    orders = csv.df("orders").sort_values(["order_id", "ingested_at"]).reset_index(drop=True)
    expected = tiny.df("orders").sort_values(["order_id", "ingested_at"]).reset_index(drop=True)
    assert orders["gross_amount"].sum() == expected["gross_amount"].sum()
    assert list(orders["status"]) == list(expected["status"])


def test_dates_derive_from_end_date_not_the_clock(tiny: Landing) -> None:
    window = tiny.manifest["window"]
    assert window == {"start": "2024-07-01 00:00:00", "end": "2026-06-30 23:59:59"}
    orders = tiny.df("orders")
    valid = orders[orders["order_ts"].str.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", na=False)]
    in_window = valid["order_ts"].between(window["start"], window["end"])
    assert in_window.mean() > 0.99
