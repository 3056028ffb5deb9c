# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---
# ruff: noqa: T201 -- a notebook shows its results by printing them

# %% [markdown]
# # Exploratory analysis and outliers
#
# A first look at the warehouse through the KPI registry (the numbers of the API and the
# reports), then unusual orders and days flagged by robust z-scores and IQR fences
# (`globalcart.analytics.outliers`). Run it as a script (`python notebooks/01_eda_outliers.py`)
# or open it with Jupytext.

# %%
import matplotlib.pyplot as plt
from _setup import figure_dir, open_warehouse

from globalcart.analytics.outliers import flag_daily_revenue, flag_order_values
from globalcart.analytics.warehouse_io import revenue_orders
from globalcart.semantic import compute

warehouse = open_warehouse()
figures = figure_dir("eda")
orders = revenue_orders(warehouse)
print(f"{len(orders):,} revenue orders from {orders['order_ts'].min():%Y-%m-%d} "
      f"to {orders['order_ts'].max():%Y-%m-%d}")  # fmt: skip
print(orders["amount"].describe().round(2))

# %% [markdown]
# ## Headline KPIs of the last 30 days with data, against the 30 days before

# %%
for name in ("net_revenue", "orders", "aov", "conversion_rate", "return_rate"):
    row = compute(warehouse, name, compare="previous_period").rows[0]
    print(f"{name:>16}: {row['value']:>14,.4f}  previous {row['previous_value']:>14,.4f}")

# %% [markdown]
# ## Net revenue by month and by country

# %%
first_day = orders["order_ts"].min().date()
monthly = compute(warehouse, "net_revenue", first_day, grain="month").rows
by_country = compute(warehouse, "net_revenue", first_day, by="country").rows
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
left.bar([row["period"] for row in monthly], [row["value"] for row in monthly], width=20)
left.set_title("Net revenue by month (USD)")
right.barh([row["country"] for row in by_country], [row["value"] for row in by_country])
right.set_title("Net revenue by country (USD)")
fig.tight_layout()
fig.savefig(figures / "revenue.png")

# %% [markdown]
# ## Unusual orders and days

# %%
flagged = flag_order_values(orders)
unusual = flagged[flagged["is_anomaly"]].sort_values("robust_z", ascending=False)
print(f"{len(unusual):,} unusual orders of {len(flagged):,}")
print(unusual[["order_id", "amount", "robust_z", "reason"]].head(10).to_string(index=False))

days = flag_daily_revenue(orders, by_weekday=True)
print(days[days["is_anomaly"]][["revenue", "robust_z", "reason"]].head(10).to_string())
warehouse.close()
