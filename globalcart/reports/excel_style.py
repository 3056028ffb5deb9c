"""Workbook formats and small writers shared by the Excel report's sheets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

NAVY = "#1F3864"
ACCENT = "#2E75B6"
LIGHT = "#DDEBF7"
GREY = "#595959"
GOOD = "#2E7D32"
BAD = "#C62828"
PALETTE = ("#2E75B6", "#ED7D31", "#70AD47", "#FFC000", "#5B9BD5", "#A5A5A5", "#264478",
           "#9E480E", "#43682B", "#7F6000")  # fmt: skip
NUMBER_FORMATS = {
    "currency": '"$"#,##0.00',
    "percent": "0.0%",
    "integer": "#,##0",
    "days": '0.0" d"',
    "number": "#,##0.00",
    "date": "yyyy-mm-dd",
    "month": "mmm yyyy",
    "text": "@",
}
SIGNED_FORMATS = {
    "currency": '+"$"#,##0.00;-"$"#,##0.00;"$"0.00',
    "percent": "+0.0%;-0.0%;0.0%",
    "integer": "+#,##0;-#,##0;0",
    "days": '+0.0" d";-0.0" d";0.0" d"',
    "number": "+#,##0.00;-#,##0.00;0.00",
}


@dataclass(frozen=True)
class Column:
    """A table column: header, row key, number format name and width."""

    header: str
    key: str
    fmt: str = "text"
    width: float = 14


class Styles:
    """The workbook's cell formats, created once per workbook."""

    def __init__(self, book: Workbook) -> None:
        self.book = book
        self.title = book.add_format({"bold": True, "font_size": 18, "font_color": NAVY})
        self.subtitle = book.add_format({"italic": True, "font_color": GREY})
        self.label = book.add_format({"bold": True, "font_color": NAVY})
        self.header = book.add_format(
            {"bold": True, "font_color": "white", "bg_color": NAVY, "border": 1,
             "text_wrap": True, "valign": "vcenter"}
        )  # fmt: skip
        self.month_header = book.add_format(
            {"bold": True, "font_color": "white", "bg_color": NAVY, "border": 1,
             "num_format": "mmm yyyy"}
        )  # fmt: skip
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.text = book.add_format({"valign": "top"})
        self.total = book.add_format({"bold": True, "top": 1, "num_format": '"$"#,##0'})
        self.total_label = book.add_format({"bold": True, "top": 1})
        self._cache: dict[tuple[str, str | None, bool], Any] = {}

    def number(self, fmt: str, colour: str | None = None, signed: bool = False) -> Any:
        """A number format by name (see ``NUMBER_FORMATS``), optionally coloured or signed."""
        key = (fmt, colour, signed)
        if key not in self._cache:
            spec: dict[str, Any] = {"valign": "top"}
            spec["num_format"] = (SIGNED_FORMATS if signed else NUMBER_FORMATS).get(
                fmt, NUMBER_FORMATS["number"]
            )
            if colour:
                spec["font_color"] = colour
            self._cache[key] = self.book.add_format(spec)
        return self._cache[key]


def write_cell(ws: Worksheet, row: int, col: int, value: Any, cell_format: Any) -> None:
    """Write a value with its native Excel type (dates as dates, None as a blank)."""
    if value is None or (isinstance(value, float) and value != value):
        ws.write_blank(row, col, None, cell_format)
    elif isinstance(value, dt.datetime):
        ws.write_datetime(row, col, value.replace(tzinfo=None), cell_format)
    elif isinstance(value, dt.date):
        ws.write_datetime(row, col, value, cell_format)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, cell_format)
    else:
        ws.write_string(row, col, str(value), cell_format)


def page_setup(ws: Worksheet, header_row: int | None = None) -> None:
    """Print (and PDF-convert) as A4 landscape, one page wide, the header row on every page."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    if header_row is not None:
        ws.repeat_rows(header_row)


def heading(ws: Worksheet, styles: Styles, title: str, subtitle: str, header_row: int = 3) -> None:
    """Rows 0-1: the sheet title and a one-line explanation (tables start at ``header_row``)."""
    ws.write_string(0, 0, title, styles.title)
    ws.write_string(1, 0, subtitle, styles.subtitle)
    ws.set_row(0, 26)
    page_setup(ws, header_row)


def table(
    ws: Worksheet,
    styles: Styles,
    top: int,
    columns: Sequence[Column],
    rows: Sequence[dict[str, Any]],
    *,
    left: int = 0,
    freeze: bool = True,
) -> int:
    """A header row at ``top`` and the rows below it, with widths, number formats, an
    autofilter and (``freeze``) the header frozen; returns the last data row."""
    ws.set_row(top, 30)  # room for headers that wrap onto two lines
    for offset, column in enumerate(columns):
        ws.write_string(top, left + offset, column.header, styles.header)
        ws.set_column(left + offset, left + offset, column.width)
    for index, row in enumerate(rows, start=top + 1):
        for offset, column in enumerate(columns):
            cell_format = styles.wrap if column.fmt == "wrap" else styles.number(column.fmt)
            write_cell(ws, index, left + offset, row.get(column.key), cell_format)
    last = top + max(len(rows), 1)
    ws.autofilter(top, left, last, left + len(columns) - 1)
    if freeze:
        ws.freeze_panes(top + 1, 0)
    return last
