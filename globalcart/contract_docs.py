"""Render the landing contract as Markdown (docs/data_contract.md is generated from it)."""

from __future__ import annotations

from globalcart.contract import ABSORBED_KINDS, QUARANTINE_KINDS, TABLES

TYPE_NAMES = {"int64": "integer", "string": "text", "double": "decimal number", "bool": "boolean"}


def contract_markdown() -> str:
    lines = [
        "# Landing data contract",
        "",
        "<!-- Generated from globalcart/contract.py (globalcart docs contract); do not edit. -->",
        "",
        "Every source (the generator, the importers, the storefront) delivers these tables as",
        "Parquet or CSV files. Each row also carries `ingested_at` (UTC timestamp of extraction);",
        "the loader adds `source_file`. Timestamps are ISO-8601 text in UTC",
        "(`YYYY-MM-DD HH:MM:SS`), dates `YYYY-MM-DD`; money is in the row's currency unless the",
        "table says USD. Re-sent rows are normal: staging keeps the latest row per key.",
        "",
    ]
    for table in TABLES:
        lines += [
            f"## `{table.name}`",
            "",
            table.description,
            "",
            f"Business key: {', '.join(f'`{k}`' for k in table.key)}",
            "",
            "| column | type |",
            "| --- | --- |",
        ]
        for name, kind in table.columns:
            label = "timestamp/date text" if name.endswith(("_at", "_ts", "date")) else None
            lines.append(f"| `{name}` | {label or TYPE_NAMES.get(str(kind), str(kind))} |")
        lines.append("")
    lines += [
        "## Anomalies",
        "",
        "Rows of these kinds are bad and must be quarantined (the kind is the rule name): "
        + ", ".join(f"`{k}`" for k in QUARANTINE_KINDS)
        + ".",
        "",
        "Rows of these kinds are normal in real extracts and are absorbed: "
        + ", ".join(f"`{k}`" for k in ABSORBED_KINDS)
        + ".",
        "",
    ]
    return "\n".join(lines)
