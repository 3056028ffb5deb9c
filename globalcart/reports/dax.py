"""Translate the registry's metric definitions (SQL aggregates) into DAX measures.

A metric is ``formula`` (optionally ``/ denominator``, in double precision) over its source view
(imported as a table of the same name), filtered by ``filter``: the measure is
``CALCULATE(<formula or DIVIDE(formula, denominator)>, FILTER('<view>', <filter>))``.
The translation covers the SQL the registry uses — sum, count, count(distinct), case, coalesce,
nullif in a division, arithmetic, comparisons, and/or — and refuses anything else with a clear
error, so a new construct in ``kpis.yml`` cannot silently produce a wrong measure.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp

from globalcart.semantic.registry import Kpi

BINARY = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*"}
COMPARE = {exp.EQ: "=", exp.NEQ: "<>", exp.GT: ">", exp.GTE: ">=", exp.LT: "<", exp.LTE: "<="}


class DaxError(ValueError):
    """A registry expression has SQL the DAX translation does not cover."""


class _Translator:
    def __init__(self, table: str, kpi: str) -> None:
        self.table = f"'{table}'"
        self.kpi = kpi

    def column(self, node: exp.Column) -> str:
        return f"{self.table}[{node.name}]"

    def condition(self, node: exp.Expr) -> str:
        """A predicate (a bare boolean column means ``= TRUE()``)."""
        if isinstance(node, exp.Paren):
            return self.condition(node.this)
        if isinstance(node, exp.Column):
            return f"{self.column(node)} = TRUE()"
        if isinstance(node, exp.And):
            return f"{self.condition(node.left)} && {self.condition(node.right)}"
        if isinstance(node, exp.Or):
            return f"({self.condition(node.left)} || {self.condition(node.right)})"
        if isinstance(node, exp.Not):
            return f"NOT ({self.condition(node.this)})"
        if isinstance(node, exp.Is) and isinstance(node.expression, exp.Null):
            return f"ISBLANK({self.row(node.this)})"
        for kind, operator in COMPARE.items():
            if isinstance(node, kind):
                return f"{self.row(node.left)} {operator} {self.row(node.right)}"
        raise self.unsupported(node)

    def row(self, node: exp.Expr) -> str:
        """A row-level (iterator) expression."""
        if isinstance(node, exp.Paren):
            return f"({self.row(node.this)})"
        if isinstance(node, exp.Column):
            return self.column(node)
        if isinstance(node, exp.Literal):
            return node.this if not node.is_string else f'"{node.this}"'
        if isinstance(node, exp.Null):
            return "BLANK()"
        if isinstance(node, exp.Case):
            return self.case(node)
        return self.arithmetic(node, self.row)

    def case(self, node: exp.Case) -> str:
        text = "BLANK()" if node.args.get("default") is None else self.row(node.args["default"])
        for branch in reversed(node.args.get("ifs") or []):
            text = f"IF({self.condition(branch.this)}, {self.row(branch.args['true'])}, {text})"
        return text

    def arithmetic(self, node: exp.Expr, inner: object) -> str:
        translate = inner if callable(inner) else self.measure
        if isinstance(node, exp.Cast):
            return str(translate(node.this))
        if isinstance(node, exp.Coalesce):
            parts = [translate(node.this), *(translate(e) for e in node.expressions)]
            return f"COALESCE({', '.join(str(p) for p in parts)})"
        if isinstance(node, exp.Div):
            right = node.right.unnest()
            if isinstance(right, exp.Nullif):
                right = right.this.unnest()
            if isinstance(right, exp.Cast):
                right = right.this
            return f"DIVIDE({translate(node.left)}, {translate(right)})"
        for kind, operator in BINARY.items():
            if isinstance(node, kind):
                return f"{translate(node.left)} {operator} {translate(node.right)}"
        raise self.unsupported(node)

    def measure(self, node: exp.Expr) -> str:
        """An aggregate expression."""
        if isinstance(node, exp.Paren):
            return f"({self.measure(node.this)})"
        if isinstance(node, exp.Literal):
            return self.row(node)
        if isinstance(node, exp.Sum):
            arg = node.this
            if isinstance(arg, exp.Column):
                return f"SUM({self.column(arg)})"
            return f"SUMX({self.table}, {self.row(arg)})"
        if isinstance(node, exp.Count):
            return self.count(node)
        return self.arithmetic(node, self.measure)

    def count(self, node: exp.Count) -> str:
        arg = node.this
        if isinstance(arg, exp.Star):
            return f"COUNTROWS({self.table})"
        if isinstance(arg, exp.Distinct):
            inner = arg.expressions[0]
            if isinstance(inner, exp.Column):
                return f"DISTINCTCOUNTNOBLANK({self.column(inner)})"
            ifs = inner.args.get("ifs") or [] if isinstance(inner, exp.Case) else []
            if len(ifs) == 1 and inner.args.get("default") is None:
                value = ifs[0].args["true"]
                if isinstance(value, exp.Column):
                    return (
                        f"CALCULATE(DISTINCTCOUNTNOBLANK({self.column(value)}), "
                        f"FILTER({self.table}, {self.condition(ifs[0].this)}))"
                    )
            raise self.unsupported(node)
        if isinstance(arg, exp.Column):
            return f"COUNT({self.column(arg)})"
        return f"COUNTX({self.table}, {self.row(arg)})"

    def unsupported(self, node: exp.Expr) -> DaxError:
        return DaxError(f"KPI {self.kpi}: no DAX translation for {node.sql('postgres')!r}")


def _parse(sql: str) -> exp.Expr:
    return sqlglot.parse_one(sql.strip(), read="postgres")


def dax_measure(kpi: Kpi) -> str:
    """The DAX measure of a metric KPI over its source view (imported as a table)."""
    if kpi.kind != "metric" or kpi.source is None:
        raise DaxError(f"{kpi.name} is a table KPI: import its view {kpi.view} instead")
    translate = _Translator(kpi.source, kpi.name)
    value = translate.measure(_parse(kpi.formula))
    if kpi.denominator is not None:
        value = f"DIVIDE({value}, {translate.measure(_parse(kpi.denominator))})"
    if kpi.filter:
        condition = translate.condition(_parse(kpi.filter))
        value = f"CALCULATE({value}, FILTER('{kpi.source}', {condition}))"
    return f"{kpi.label} = {value}"
