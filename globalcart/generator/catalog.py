"""Product catalog with price/cost history (each change a new row, feeding SCD-2)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from globalcart.generator.calendar import US_PER_DAY, Window
from globalcart.generator.frames import Frame, choice_codes, inverse_cdf_table
from globalcart.generator.pools import CATEGORIES, SEGMENT_PRICE_TILT, NamePools

PRICE_CHANGE_RATE = 0.3  # share of products whose price changes in a year


@dataclass
class Catalog:
    """Products (index i ⇔ product_id i + 1) and every price version, by product then time."""

    category: npt.NDArray[np.int64]
    subcategory: npt.NDArray[np.int64]
    popularity: npt.NDArray[np.float64]
    version_product: npt.NDArray[np.int64]
    version_from_us: npt.NDArray[np.int64]
    version_list_cents: npt.NDArray[np.int64]
    version_cost_cents: npt.NDArray[np.int64]

    @property
    def n(self) -> int:
        return len(self.category)

    def current_list_cents(self) -> npt.NDArray[np.int64]:
        last = np.r_[np.flatnonzero(np.diff(self.version_product)), len(self.version_product) - 1]
        return self.version_list_cents[last]

    def version_at(
        self, product_index: npt.NDArray[np.int64], ts_us: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Index of the price version valid at ``ts_us`` for each product."""
        span = np.int64(1) << np.int64(40)
        keys = self.version_product * span + (self.version_from_us >> 12)
        wanted = product_index * span + (ts_us >> 12)
        return np.searchsorted(keys, wanted, side="right") - 1

    def sampling_tables(self) -> list[npt.NDArray[np.int32]]:
        """One product sampler per segment: popular products, tilted by price taste."""
        price = self.current_list_cents().astype(np.float64)
        rel = price / np.median(price)
        cdfs = []
        for tilt in SEGMENT_PRICE_TILT:
            cdfs.append(inverse_cdf_table(self.popularity * rel ** (0.5 * np.log2(tilt))))
        return cdfs

    def add_versions(
        self,
        product: npt.NDArray[np.int64],
        from_us: npt.NDArray[np.int64],
        list_cents: npt.NDArray[np.int64],
        cost_cents: npt.NDArray[np.int64],
    ) -> None:
        vp = np.concatenate([self.version_product, product])
        vf = np.concatenate([self.version_from_us, from_us])
        order = np.lexsort((vf, vp))
        self.version_product = vp[order]
        self.version_from_us = vf[order]
        self.version_list_cents = np.concatenate([self.version_list_cents, list_cents])[order]
        self.version_cost_cents = np.concatenate([self.version_cost_cents, cost_cents])[order]


def build_catalog(rng: np.random.Generator, n: int, introduced_us: int) -> Catalog:
    cats = list(CATEGORIES.values())
    category = choice_codes(rng, [1.3, 1.6, 1.2, 0.8, 0.9, 0.6, 0.7, 0.4], n)
    sub = np.array([rng.integers(0, len(cats[c][0])) for c in category], dtype=np.int64)
    lo = np.array([cats[c][1][0] for c in category], dtype=np.float64)
    hi = np.array([cats[c][1][1] for c in category], dtype=np.float64)
    price = np.exp(rng.uniform(np.log(lo), np.log(hi)))
    price = np.floor(price) + 0.99
    margin = np.array([rng.uniform(*cats[c][2]) for c in category])
    cost = np.round(price * (1 - margin), 2)
    popularity = 1.0 / np.power(rng.permutation(n) + 1.0, 0.85)
    return Catalog(
        category=category,
        subcategory=sub,
        popularity=popularity,
        version_product=np.arange(n, dtype=np.int64),
        version_from_us=np.full(n, introduced_us, dtype=np.int64),
        version_list_cents=np.round(price * 100).astype(np.int64),
        version_cost_cents=np.round(cost * 100).astype(np.int64),
    )


def price_changes(rng: np.random.Generator, catalog: Catalog, window: Window) -> None:
    """Add price/cost changes inside the window to the catalog's version history."""
    years = window.n_days / 365.0
    n_changes = rng.binomial(catalog.n, min(PRICE_CHANGE_RATE * years, 0.95))
    if n_changes == 0:
        return
    product = np.sort(rng.choice(catalog.n, n_changes, replace=False)).astype(np.int64)
    when = window.start_us + (rng.random(n_changes) * (window.n_days - 1) * US_PER_DAY).astype(
        np.int64
    )
    current = catalog.version_at(product, when)
    factor = rng.uniform(0.85, 1.18, n_changes)
    new_list = np.floor(catalog.version_list_cents[current] * factor / 100) * 100 + 99
    new_cost = np.round(catalog.version_cost_cents[current] * rng.uniform(0.96, 1.08, n_changes))
    catalog.add_versions(product, when, new_list.astype(np.int64), new_cost.astype(np.int64))


def product_rows(catalog: Catalog, pools: NamePools, since_us: int | None = None) -> Frame:
    """Landing rows for every price version (or only those from ``since_us`` on)."""
    keep = np.ones(len(catalog.version_product), dtype=bool)
    if since_us is not None:
        keep = catalog.version_from_us >= since_us
    product = catalog.version_product[keep]
    cats = list(CATEGORIES.items())
    names_l1 = np.array([name for name, _ in cats])
    brand_of = np.random.default_rng(7_919).integers(0, len(pools.brands), catalog.n)
    adjective_of = np.random.default_rng(104_729).integers(0, len(pools.adjectives), catalog.n)
    sub_names = [
        cats[c][1][0][s] for c, s in zip(catalog.category, catalog.subcategory, strict=True)
    ]
    active = np.random.default_rng(1_299_709).random(catalog.n) > 0.04
    brands = np.array(pools.brands)[brand_of]
    names = np.char.add(
        np.char.add(np.char.add(np.array(pools.adjectives)[adjective_of], " "), brands),
        np.char.add(" ", np.array(sub_names)),
    )
    ids = product + 1
    return {
        "product_id": ids,
        "sku": np.char.add("SKU-", np.char.zfill(ids.astype(str), 6)),
        "product_name": names[product],
        "category_l1": names_l1[catalog.category[product]],
        "category_l2": np.array(sub_names)[product],
        "brand": brands[product],
        "unit_cost": catalog.version_cost_cents[keep] / 100.0,
        "list_price": catalog.version_list_cents[keep] / 100.0,
        "is_active": active[product],
        "updated_at": catalog.version_from_us[keep],
    }
