"""Reading UCI "Online Retail" / "Online Retail II" files into one normalised frame.

Both data sets have the same eight columns under slightly different names; they come as Parquet,
CSV or XLSX (the Online Retail II workbook has one sheet per year). Dates are text in ISO form
or ``M/D/YYYY H:MM``, or real datetimes in XLSX. Every file (or sheet) keeps its name and the
1-based row number of each row, so the import report can point at every source row.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from globalcart.importers.landing import SourceError

COLUMNS: dict[str, tuple[str, ...]] = {
    "invoice": ("InvoiceNo", "Invoice"),
    "stock_code": ("StockCode",),
    "description": ("Description",),
    "qty": ("Quantity",),
    "ts_raw": ("InvoiceDate",),
    "price": ("UnitPrice", "Price"),
    "customer": ("CustomerID", "Customer ID"),
    "country": ("Country",),
}


def _read(path: Path) -> list[tuple[str, pd.DataFrame]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            return [(path.name, pq.read_table(path).to_pandas())]
        if suffix == ".csv":
            return [(path.name, pd.read_csv(path, dtype=str, encoding_errors="replace"))]
        if suffix in (".xlsx", ".xls"):
            sheets = pd.read_excel(path, sheet_name=None, dtype={"InvoiceNo": str, "Invoice": str})
            return [(f"{path.name}#{name}", frame) for name, frame in sheets.items()]
    except (OSError, ValueError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from exc
    raise SourceError(f"{path}: unsupported file type {suffix!r} (use .parquet, .csv or .xlsx)")


def _normalise(label: str, raw: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame(index=raw.index)
    for name, options in COLUMNS.items():
        found = next((column for column in options if column in raw.columns), None)
        if found is None:
            found_names = ", ".join(map(str, raw.columns))
            raise SourceError(f"{label}: no column {' or '.join(options)} (found: {found_names})")
        frame[name] = raw[found]
    for name in ("invoice", "stock_code", "description", "country"):
        text = frame[name].astype("string").str.strip()
        frame[name] = text.str.replace(r"\.0$", "", regex=True) if name == "invoice" else text
    frame["qty"] = pd.to_numeric(frame["qty"], errors="coerce")
    frame["price"] = pd.to_numeric(frame["price"], errors="coerce")
    frame["customer"] = pd.to_numeric(frame["customer"], errors="coerce").round().astype("Int64")
    frame["ts"] = parse_dates(frame["ts_raw"])
    frame.insert(0, "source_row", range(1, len(frame) + 1))
    frame.insert(0, "source_file", label)
    return frame.reset_index(drop=True)


def parse_dates(values: pd.Series) -> pd.Series:
    """ISO text, ``M/D/YYYY H:MM`` text or datetimes → naive datetimes (NaT when malformed)."""
    if pd.api.types.is_datetime64_any_dtype(values):
        return values.dt.tz_localize(None) if values.dt.tz is not None else values
    text = values.astype("string").str.strip()
    parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    missing = parsed.isna() & text.notna()
    if missing.any():
        parsed[missing] = pd.to_datetime(text[missing], format="%m/%d/%Y %H:%M", errors="coerce")
    return parsed


def read_sources(paths: list[Path]) -> pd.DataFrame:
    """All files (and sheets) as one frame with ``source_file`` and ``source_row``."""
    frames: list[pd.DataFrame] = []
    for path in paths:
        if not path.is_file():
            raise SourceError(f"{path} does not exist")
        frames.extend(_normalise(label, raw) for label, raw in _read(path))
    labels = [str(frame["source_file"].iat[0]) for frame in frames if len(frame)]
    if len(set(labels)) != len(labels):
        raise SourceError("the same file name is given twice: " + ", ".join(sorted(labels)))
    return pd.concat(frames, ignore_index=True)


def overlap_losers(frame: pd.DataFrame) -> pd.Series:
    """Rows on a day that several files cover and that another file supplies.

    Files of the same store overlap by a few days (Online Retail II ends on 2010-12-09, Online
    Retail starts on 2010-12-01). For each such day the file with the most rows that day is kept
    (ties: the file given first); the other files' rows of that day are duplicates.
    """
    day = frame["ts"].dt.normalize()
    order = {name: i for i, name in enumerate(frame["source_file"].unique())}
    counts = (
        pd.DataFrame({"day": day, "file": frame["source_file"]})
        .dropna()
        .value_counts()
        .rename("rows")
        .reset_index()
    )
    counts["rank"] = counts["file"].map(order)
    counts = counts.sort_values(["day", "rows", "rank"], ascending=[True, False, True])
    winner = counts.drop_duplicates("day").set_index("day")["file"]
    chosen = day.map(winner)
    losers: pd.Series = chosen.notna() & (chosen != frame["source_file"])
    return losers
