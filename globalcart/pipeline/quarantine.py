"""Move bad landing rows (``dq_rule`` set in ``staging.chk_*``) into ``quality.quarantine``."""

from __future__ import annotations

from globalcart import contract
from globalcart.engines.base import Warehouse


def sync_quarantine(
    warehouse: Warehouse, run_id: int, built: set[str], appended_since: dict[str, int]
) -> int:
    """Insert bad rows not yet quarantined (one row per distinct content); returns rows added.

    A chk model appended this build (``appended_since``: model -> last load run already built)
    can only hold new bad rows in the files loaded since: a re-checked row that still fails
    keeps its content, so it is quarantined already.
    """
    added = 0
    for table in contract.TABLES:
        chk = f"staging.chk_{table.name}"
        if chk not in built:
            continue
        key = ", ".join(f"coalesce(cast({column} as varchar), '')" for column in table.key)
        new_rows = ""
        if chk in appended_since:
            new_rows = (
                f" and c.source_file in (select source_file from ops.loaded_files "
                f"where table_name = '{table.name}' and load_run_id > {int(appended_since[chk])})"
            )
        before = warehouse.row_count("quality.quarantine")
        warehouse.execute(
            f"""insert into quality.quarantine (table_name, row_hash, business_key, rule, reason,
                raw_row, source_file, ingested_at, run_id, quarantined_at)
            select ?, hash_text, business_key, dq_rule, dq_reason, raw_row, source_file,
                ingested_at, ?, current_timestamp
            from (
                select c.*, replace(cast(c.row_hash as varchar), '-', '') as hash_text,
                    concat_ws(',', {key}) as business_key, row_number() over (
                    partition by c.row_hash order by c.ingested_at, c.source_file) as copy_no
                from {chk} as c where c.dq_rule is not null{new_rows}
            ) as bad
            where copy_no = 1 and not exists (
                select 1 from quality.quarantine as q
                where q.table_name = ? and q.row_hash = bad.hash_text)""",
            [table.name, run_id, table.name],
        )
        added += warehouse.row_count("quality.quarantine") - before
    return added
