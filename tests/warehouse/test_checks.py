"""After a merge, checks look only at the rewritten rows (for unique: the values they hold);
the row checks of a model are counted in one query, each on its own."""

from __future__ import annotations

import pytest

from globalcart.engines import Warehouse
from globalcart.pipeline.checks import Check, Rewritten, failing_sql, run_checks


def _count(
    warehouse: Warehouse, check: Check, changed: str | None, key: tuple[str, ...] = ("id",)
) -> int:
    rewritten = None if changed is None else Rewritten(changed, key)
    return int(warehouse.query(failing_sql(check, rewritten))[0][0])


def test_checks_restricted_to_changed_rows(warehouse: Warehouse) -> None:
    warehouse.execute("create table staging.t_checks (id integer, v integer, w integer)")
    warehouse.execute(
        "insert into staging.t_checks values (1, 1, 10), (2, 1, 20), (3, null, 30), (4, 5, 40)"
    )
    unique = Check("u", "staging.t_checks", "v", "unique", "error")
    not_null = Check("n", "staging.t_checks", "v", "not_null", "error")
    pair = Check("p", "staging.t_checks", None, "unique", "error", (("columns", ("v", "v")),))
    in_range = Check("r", "staging.t_checks", "w", "range", "warn", (("max", 25),))
    related = Check(
        "rel",
        "staging.t_checks",
        "v",
        "relationships",
        "error",
        (("field", "id"), ("to", "staging.t_checks")),
    )
    assert _count(warehouse, unique, None) == 1
    assert _count(warehouse, unique, "id in (2)") == 1  # its value clashes with an old row
    assert _count(warehouse, unique, "id in (3, 4)") == 0
    assert _count(warehouse, pair, "id in (1)") == 1
    assert _count(warehouse, pair, "id in (4)") == 0
    assert _count(warehouse, not_null, None) == 1
    assert _count(warehouse, not_null, "id in (1, 2)") == 0
    assert _count(warehouse, in_range, None) == 2
    assert _count(warehouse, in_range, "id in (3)") == 1
    assert _count(warehouse, related, None) == 1  # v = 5 has no id 5
    assert _count(warehouse, related, "id < 4") == 0
    # merged by v: a repeated v can only be among the rewritten rows
    assert _count(warehouse, unique, "v in (1)", ("v",)) == 1
    assert _count(warehouse, unique, "v in (5)", ("v",)) == 0


def test_row_checks_of_a_model_counted_together(
    warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse.execute("create table staging.t_rows (id integer, v integer, s varchar)")
    warehouse.execute(
        "insert into staging.t_rows values (1, null, 'a'), (2, 7, 'b'), (3, null, 'z'), (4, 1, 'a')"
    )
    checks = [
        Check("n", "staging.t_rows", "v", "not_null", "error"),
        Check("a", "staging.t_rows", "s", "accepted_values", "warn", (("values", ("a", "b")),)),
        Check("r", "staging.t_rows", "v", "range", "warn", (("max", 5), ("min", 0))),
        Check("e", "staging.t_rows", None, "expression", "warn", (("sql", "id < 4"),)),
        Check("u", "staging.t_rows", "s", "unique", "warn"),
    ]
    monkeypatch.setattr("globalcart.pipeline.checks.load_checks", lambda: checks)
    counted = run_checks(warehouse, {"staging.t_rows"})
    assert [(result.check.name, result.failures) for result in counted] == [
        ("n", 2),
        ("a", 1),
        ("r", 1),
        ("e", 1),
        ("u", 1),
    ]
    merged = {"staging.t_rows": Rewritten("id in (1, 2)", ("id",))}
    counted = run_checks(warehouse, {"staging.t_rows"}, merged)
    assert [result.failures for result in counted] == [1, 0, 1, 0, 1]  # "a" also in id 4
