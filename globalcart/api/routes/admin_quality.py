"""Admin data quality (quarantine browser, check results), pipeline runs and the audited
BI mart export (CSV or Parquet)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from globalcart.api.deps import StoreDep
from globalcart.api.problems import ProblemError
from globalcart.api.routes.admin import Admin
from globalcart.api.routes.admin_common import (
    PageLimit,
    PageOffset,
    Text,
    Where,
    audit_admin,
    order_by,
    page,
)
from globalcart.api.routes.kpi_tables import CSV_RESPONSES, FormatQuery, Page, respond
from globalcart.reports.export import (
    MEDIA_TYPES,
    ExportError,
    ExportFormat,
    MartNotBuiltError,
    UnknownMartError,
    encode,
    read_mart,
)

router = APIRouter(prefix="/api/admin", tags=["admin"])
RunId = Annotated[int | None, Query(ge=0, le=2**62)]


def _ready(store: StoreDep, table: str) -> None:
    if not store.warehouse.table_exists(table):
        raise ProblemError(409, f"{table} does not exist yet: run globalcart pipeline",
                           kind="warehouse-not-built")  # fmt: skip


@router.get("/quality/quarantine", response_model=Page, responses=CSV_RESPONSES)
def quarantine(
    admin: Admin, store: StoreDep, request: Request,
    table_name: Text = None, rule: Text = None, run_id: RunId = None,
    sort: Annotated[str, Query(max_length=40)] = "-quarantined_at",
    limit: PageLimit = 50, offset: PageOffset = 0, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Rows the pipeline refused, with the rule and reason (newest first)."""
    _ready(store, "quality.quarantine")
    where = Where()
    where.maybe("table_name = ?", table_name)
    where.maybe("rule = ?", rule)
    where.maybe("run_id = ?", run_id)
    order = order_by(sort, ("quarantined_at", "table_name", "rule", "run_id"), "row_hash")
    result = page(store.warehouse, "Quarantine", "quality.quarantine", where, order, limit,
                  offset, check="")  # fmt: skip
    if fmt == "csv":
        audit_admin(store, request, admin, "quarantine_export", rows=len(result.rows))
    return respond(result, fmt, "quarantine")


@router.get("/quality/checks", response_model=Page, responses=CSV_RESPONSES)
def check_results(
    _: Admin, store: StoreDep, run_id: RunId = None,
    status: Literal["pass", "fail"] | None = None,
    severity: Literal["error", "warn"] | None = None, model: Text = None,
    limit: PageLimit = 200, offset: PageOffset = 0, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Data-quality check results of one build run (default: the latest), failures first."""
    _ready(store, "quality.check_results")
    if run_id is None:
        latest = store.warehouse.query("select max(run_id) from quality.check_results")
        run_id = latest[0][0] if latest and latest[0][0] is not None else -1
    where = Where()
    where.add("run_id = ?", run_id)
    where.maybe("status = ?", status)
    where.maybe("severity = ?", severity)
    where.maybe("model = ?", model)
    order = " order by case when status = 'pass' then 1 else 0 end, check_name"
    result = page(store.warehouse, f"Checks of run {run_id}", "quality.check_results", where,
                  order, limit, offset, check="")  # fmt: skip
    return respond(result, fmt, f"checks_run_{run_id}")


@router.get("/runs", response_model=Page, responses=CSV_RESPONSES)
def runs(
    _: Admin, store: StoreDep, kind: Text = None, status: Text = None,
    limit: PageLimit = 50, offset: PageOffset = 0, fmt: FormatQuery = "json",
) -> Any:  # fmt: skip
    """Pipeline runs (loads and builds), newest first."""
    _ready(store, "ops.runs")
    where = Where()
    where.maybe("kind = ?", kind)
    where.maybe("status = ?", status)
    result = page(store.warehouse, "Pipeline runs", "ops.runs", where,
                  " order by run_id desc", limit, offset, check="")  # fmt: skip
    return respond(result, fmt, "runs")


@router.get(
    "/export/{mart}",
    responses={200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}},
)
def export_mart(
    mart: Annotated[
        str, Path(max_length=64, pattern=r"^mart_[a-z_]+$", examples=["mart_orders_core"])
    ],
    admin: Admin, store: StoreDep, request: Request,
    fmt: Annotated[ExportFormat, Query(alias="format")] = "csv",
) -> Response:  # fmt: skip
    """A whole BI mart as CSV or Parquet (audited); ``globalcart export`` writes the same file."""
    try:
        data = read_mart(store.warehouse, mart)
    except UnknownMartError as exc:
        raise ProblemError(404, str(exc), kind="not-found") from None
    except MartNotBuiltError as exc:
        raise ProblemError(409, str(exc), kind="warehouse-not-built") from None
    except ExportError as exc:
        raise ProblemError(409, str(exc), kind="warehouse-error") from None
    audit_admin(store, request, admin, "mart_export", mart=mart, format=fmt, rows=data.num_rows)
    disposition = f'attachment; filename="{mart}.{fmt}"'
    return Response(encode(data, fmt), media_type=MEDIA_TYPES[fmt],
                    headers={"Content-Disposition": disposition})  # fmt: skip
