"""Products and stock of the storefront, seeded from the warehouse or a landing folder."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from globalcart import contract
from globalcart.pipeline.load import LandingError, discover_files, read_landing_file, read_manifest
from globalcart.store.db import Store, utcnow

log = logging.getLogger(__name__)

Sort = Literal["name", "price_asc", "price_desc", "best_sellers"]

_ORDER_BY: dict[str, str] = {
    "name": "p.product_name, p.product_id",
    "price_asc": "p.list_price, p.product_id",
    "price_desc": "p.list_price desc, p.product_id",
    "best_sellers": "coalesce(s.units, 0) desc, p.product_id",
}

_COLUMNS = (
    "product_id",
    "sku",
    "product_name",
    "category_l1",
    "category_l2",
    "brand",
    "list_price",
    "currency",
    "available",
    "units_sold",
)

_SELECT = """
    select p.product_id, p.sku, p.product_name, p.category_l1, p.category_l2, p.brand,
           p.list_price, p.currency, coalesce(i.on_hand - i.reserved, 0) as available,
           coalesce(s.units, 0) as units_sold
    from app.products as p
    left join app.inventory as i on i.product_id = p.product_id
    left join (
        select l.product_id, sum(l.qty) as units
        from app.order_lines as l inner join app.orders as o on o.order_id = l.order_id
        where o.status <> 'cancelled' group by l.product_id
    ) as s on s.product_id = p.product_id
"""


@dataclass(frozen=True)
class CatalogFilter:
    q: str | None = None
    category: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    sort: Sort = "name"
    limit: int = 20
    offset: int = 0


def _row(row: tuple[Any, ...]) -> dict[str, Any]:
    item = dict(zip(_COLUMNS, row, strict=True))
    item["available"] = int(item["available"])
    item["units_sold"] = int(item["units_sold"])
    return item


def list_products(store: Store, f: CatalogFilter) -> tuple[list[dict[str, Any]], int]:
    """One page of active products matching the filter, and the total number matching."""
    where = ["p.is_active"]
    params: list[Any] = []
    if f.q:
        where.append("(p.product_name ilike ? or p.brand ilike ? or p.sku ilike ?)")
        pattern = "%" + f.q.replace("\\", "").replace("%", "").replace("_", "") + "%"
        params += [pattern, pattern, pattern]
    if f.category:
        where.append("(lower(p.category_l1) = lower(?) or lower(p.category_l2) = lower(?))")
        params += [f.category, f.category]
    if f.min_price is not None:
        where.append("p.list_price >= ?")
        params.append(f.min_price)
    if f.max_price is not None:
        where.append("p.list_price <= ?")
        params.append(f.max_price)
    condition = " and ".join(where)
    total = store.one(f"select count(*) from app.products as p where {condition}", params)
    rows = store.query(
        f"{_SELECT} where {condition} order by {_ORDER_BY[f.sort]} limit ? offset ?",
        [*params, f.limit, f.offset],
    )
    return [_row(r) for r in rows], int(total[0]) if total else 0


def get_product(store: Store, product_id: int) -> dict[str, Any] | None:
    row = store.one(f"{_SELECT} where p.is_active and p.product_id = ?", [product_id])
    return None if row is None else _row(row)


def upsert_product(store: Store, product: dict[str, Any], on_hand: int | None = None) -> None:
    """Insert or update one product (and its stock when ``on_hand`` is given)."""
    now = utcnow()
    values = [
        product["product_id"],
        product["sku"],
        product["product_name"],
        product.get("category_l1"),
        product.get("category_l2"),
        product.get("brand"),
        Decimal(str(product["list_price"])).quantize(Decimal("0.01")),
        product.get("currency", "USD"),
        bool(product.get("is_active", True)),
        now,
    ]
    with store.write():
        store.execute(
            "insert into app.products (product_id, sku, product_name, category_l1, "
            "category_l2, brand, list_price, currency, is_active, updated_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (product_id) do update set "
            "sku = excluded.sku, product_name = excluded.product_name, "
            "category_l1 = excluded.category_l1, category_l2 = excluded.category_l2, "
            "brand = excluded.brand, list_price = excluded.list_price, "
            "currency = excluded.currency, is_active = excluded.is_active, "
            "updated_at = excluded.updated_at",
            values,
        )
        if on_hand is not None:
            set_stock(store, int(product["product_id"]), on_hand)


def set_stock(store: Store, product_id: int, on_hand: int) -> None:
    """Set the units on hand of a product (outstanding reservations are kept)."""
    with store.write():
        store.execute(
            "insert into app.inventory (product_id, on_hand, reserved, updated_at) "
            "values (?, ?, 0, ?) on conflict (product_id) do update set "
            "on_hand = excluded.on_hand, updated_at = excluded.updated_at",
            [product_id, on_hand, utcnow()],
        )


def stock_of(store: Store, product_id: int) -> tuple[int, int] | None:
    """(on hand, reserved) of a product."""
    row = store.one(
        "select on_hand, reserved from app.inventory where product_id = ?", [product_id]
    )
    return None if row is None else (int(row[0]), int(row[1]))


def _landing_products(landing_dir: Path) -> list[dict[str, Any]]:

    table = contract.landing_table("products")
    paths = discover_files(landing_dir, read_manifest(landing_dir)).get("products", [])
    if not paths:
        return []
    data = pa.concat_tables([read_landing_file(path, table) for path in paths])
    data = data.sort_by([("product_id", "ascending"), ("updated_at", "descending")])
    usable = pc.and_(
        pc.and_(pc.is_valid(data.column("product_id")), pc.is_valid(data.column("sku"))),
        pc.fill_null(pc.greater(data.column("list_price"), 0), False),
    )
    data = data.filter(usable)
    latest: dict[int, dict[str, Any]] = {}
    for row in data.to_pylist():
        latest.setdefault(int(row["product_id"]), row)
    return list(latest.values())


def seed_catalog(store: Store, landing_dir: Path | None, on_hand: int) -> int:
    """Fill an empty catalog with the current product versions; returns products added.

    Source: ``dw.dim_product`` (current versions) when the warehouse is built, else the
    products file of ``landing_dir``. A catalog that already has products is left alone.
    """
    existing = store.one("select count(*) from app.products")
    if existing and int(existing[0]) > 0:
        return 0
    products: list[dict[str, Any]] = []
    if store.warehouse.table_exists("dw.dim_product"):
        rows = store.query(
            "select product_id, sku, product_name, category_l1, category_l2, brand, "
            "list_price_usd, is_active from dw.dim_product where is_current"
        )
        keys = ("product_id", "sku", "product_name", "category_l1", "category_l2", "brand")
        for r in rows:
            products.append(
                {**dict(zip(keys, r[:6], strict=True)), "list_price": r[6], "is_active": r[7]}
            )
    elif landing_dir is not None and landing_dir.is_dir():
        try:
            products = _landing_products(landing_dir)
        except LandingError as exc:
            log.warning("storefront catalog not seeded: %s", exc)
    products = [p for p in products if p.get("list_price") is not None and p.get("sku")]
    if not products:
        return 0
    now = utcnow()
    cents = Decimal("0.01")
    table = pa.table(
        {
            "product_id": pa.array([int(p["product_id"]) for p in products], pa.int64()),
            "sku": [str(p["sku"]) for p in products],
            "product_name": [str(p.get("product_name") or p["sku"]) for p in products],
            "category_l1": [p.get("category_l1") for p in products],
            "category_l2": [p.get("category_l2") for p in products],
            "brand": [p.get("brand") for p in products],
            "list_price": pa.array(
                [Decimal(str(p["list_price"])).quantize(cents) for p in products],
                pa.decimal128(12, 2),
            ),
            "currency": ["USD"] * len(products),
            "is_active": [p.get("is_active") is not False for p in products],
            "updated_at": pa.array([now] * len(products), pa.timestamp("us")),
        }
    )
    stock = pa.table(
        {
            "product_id": table.column("product_id"),
            "on_hand": pa.array([on_hand] * len(products), pa.int32()),
            "reserved": pa.array([0] * len(products), pa.int32()),
            "updated_at": table.column("updated_at"),
        }
    )
    with store.write():
        store.warehouse.load_arrow("app.products", table)
        store.warehouse.load_arrow("app.inventory", stock)
    log.info("seeded the storefront catalog with %d products", len(products))
    return len(products)
