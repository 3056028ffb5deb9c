# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---
# ruff: noqa: T201 -- a notebook shows its results by printing them

# %% [markdown]
# # RFM segmentation
#
# Recency, frequency and monetary quintile scores and named segments per customer
# (`globalcart.analytics.rfm`), as of the last order day. `globalcart analytics rfm` stores the
# same table in `marts.analytics_rfm`.

# %%
import matplotlib.pyplot as plt
import pandas as pd
from _setup import figure_dir, open_warehouse

from globalcart.analytics.rfm import rfm_table, segment_summary
from globalcart.analytics.warehouse_io import revenue_orders

warehouse = open_warehouse()
figures = figure_dir("rfm")
orders = revenue_orders(warehouse)
as_of = pd.Timestamp(orders["order_ts"].max()).normalize()
rfm = rfm_table(orders, as_of)
print(f"{len(rfm):,} customers scored as of {as_of:%Y-%m-%d}")
print(rfm.head().to_string())

# %% [markdown]
# ## Segments: size, recency, frequency and value

# %%
summary = segment_summary(rfm)
print(summary.to_string())

# %%
counts = rfm["segment"].value_counts().sort_values()
fig, ax = plt.subplots(figsize=(8, 4))
ax.barh(counts.index, counts.to_numpy())
ax.set_title("Customers per RFM segment")
fig.tight_layout()
fig.savefig(figures / "segments.png")

# %% [markdown]
# ## Recency × frequency grid (mean monetary value per cell)

# %%
grid = rfm.pivot_table(index="r_score", columns="f_score", values="monetary", aggfunc="mean")
print(grid.round(1).to_string())
warehouse.close()
