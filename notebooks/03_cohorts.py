# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---
# ruff: noqa: T201 -- a notebook shows its results by printing them

# %% [markdown]
# # Cohorts: retention, repeat purchase, LTV and churn
#
# Monthly acquisition cohorts from the analytics package (`globalcart.analytics.cohorts`),
# side by side with the registry's governed cohort matrix (`cohort_retention`, the numbers of the
# API and the reports).

# %%
import matplotlib.pyplot as plt
from _setup import figure_dir, open_warehouse

from globalcart.analytics.cohorts import churn_by_cohort, cohort_summary, retention_matrix
from globalcart.analytics.warehouse_io import revenue_orders
from globalcart.semantic import compute

warehouse = open_warehouse()
figures = figure_dir("cohorts")
orders = revenue_orders(warehouse)
matrix = retention_matrix(orders, months=7, revenue_col="amount")
print(matrix.round(3).tail(12).to_string())

# %% [markdown]
# ## Repeat rate, N-day retention and LTV per cohort

# %%
summary = cohort_summary(orders, revenue_col="amount")
print(summary.round(3).tail(12).to_string())
as_of = orders["order_ts"].max().normalize()
print(churn_by_cohort(orders, as_of, revenue_col="amount").tail(12).to_string())

# %% [markdown]
# ## The governed matrix (registry KPI `cohort_retention`)

# %%
rows = compute(warehouse, "cohort_retention").rows
governed = {(r["cohort_month"], r["month_number"]): r["retention_rate"] for r in rows}
print(f"{len({key[0] for key in governed}):,} cohorts in marts.kpi_cohort_retention")

shares = matrix[[c for c in matrix.columns if c.startswith("month_")]].iloc[:, 1:]
fig, ax = plt.subplots(figsize=(9, 6))
image = ax.imshow(shares.to_numpy(dtype=float), aspect="auto", cmap="Blues")
ax.set_yticks(range(len(shares)), [f"{c:%Y-%m}" for c in shares.index])
ax.set_xticks(range(shares.shape[1]), [c.replace("month_", "M") for c in shares.columns])
fig.colorbar(image, label="share of the cohort ordering again")
ax.set_title("Retention by cohort and month")
fig.tight_layout()
fig.savefig(figures / "retention.png")
warehouse.close()
