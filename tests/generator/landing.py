"""Read a generated landing folder in tests (independently of the warehouse loader)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from globalcart.contract import landing_table
from globalcart.generator.output import read_manifest


class Landing:
    def __init__(self, directory: Path) -> None:
        self.dir = directory

    @cached_property
    def manifest(self) -> dict[str, Any]:
        return read_manifest(self.dir)

    def arrow(self, table: str) -> pa.Table:
        spec = landing_table(table)
        parts = []
        for relative in self.manifest["tables"][table]["files"]:
            path = self.dir / relative
            if path.suffix == ".csv":
                options = pacsv.ConvertOptions(column_types=spec.schema, strings_can_be_null=True)
                parts.append(pacsv.read_csv(path, convert_options=options))
            else:
                parts.append(pq.read_table(path))
        if not parts:
            return spec.schema.empty_table()
        return pa.concat_tables(parts)

    def df(self, table: str) -> pd.DataFrame:
        return self.arrow(table).to_pandas()

    def anomalies(self, table: str) -> dict[str, int]:
        counts: dict[str, int] = self.manifest["anomalies"].get(table, {})
        return counts
