"""Read the report workbook back (openpyxl) as rows keyed by header, like the API's rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

HEADER_ROW = 4  # 1-based: below the title, the subtitle and a blank row


def plain(value: Any) -> Any:
    return value.date() if isinstance(value, dt.datetime) else value


def sheets(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet's cell values, row by row."""
    book = load_workbook(path)
    out = {ws.title: [[plain(c) for c in row] for row in ws.iter_rows(values_only=True)]
           for ws in book.worksheets}  # fmt: skip
    book.close()
    return out


def table(rows: list[list[Any]], top: int = HEADER_ROW) -> list[dict[Any, Any]]:
    """The rows under the header at ``top`` (1-based) until the first empty first cell."""
    header = rows[top - 1]
    out = []
    for row in rows[top:]:
        if row[0] is None:
            break
        out.append({key: value for key, value in zip(header, row, strict=True) if key})
    return out
