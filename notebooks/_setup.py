"""Shared opening of the notebooks: the warehouse of the settings (GLOBALCART_DATABASE_URL)
and a folder for figures (GLOBALCART_DATA_DIR/notebooks)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are saved to files, so the notebooks also run as scripts

from globalcart.config import get_settings
from globalcart.engines import Warehouse, connect


def open_warehouse() -> Warehouse:
    """The configured warehouse (build it first: ``globalcart pipeline --scale small``)."""
    return connect(get_settings().database_url)


def figure_dir(name: str) -> Path:
    """Where a notebook saves its figures."""
    folder = Path(get_settings().data_dir) / "notebooks" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder
