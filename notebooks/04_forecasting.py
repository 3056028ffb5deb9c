# ---
# jupyter:
#   jupytext:
#     formats: py:percent
# ---
# ruff: noqa: T201 -- a notebook shows its results by printing them

# %% [markdown]
# # Forecasting daily net revenue
#
# Damped-trend ETS with weekly seasonality and 80 % / 95 % prediction intervals
# (`globalcart.analytics.forecast`), checked by a rolling-origin backtest against a
# seasonal-naive baseline. The series is the registry's `net_revenue` by day.

# %%
import datetime as dt

import matplotlib.pyplot as plt
import pandas as pd
from _setup import figure_dir, open_warehouse

from globalcart.analytics.forecast import backtest, forecast
from globalcart.semantic import compute
from globalcart.semantic.query import data_end

warehouse = open_warehouse()
figures = figure_dir("forecast")
end = data_end(warehouse)
assert end is not None, "build the warehouse first: globalcart pipeline"
rows = compute(warehouse, "net_revenue", end - dt.timedelta(days=364), end, grain="day").rows
series = pd.Series([float(r["value"]) for r in rows],
                   index=pd.DatetimeIndex([pd.Timestamp(r["period"]) for r in rows]))  # fmt: skip
print(f"{len(series)} days, mean {series.mean():,.0f} USD a day")

# %% [markdown]
# ## Backtest: the model against seasonal naive

# %%
scores = backtest(series, horizon=14, n_origins=4)
print(scores.round(3).to_string())
print(scores.mean(numeric_only=True).round(3).to_string())

# %% [markdown]
# ## The next 28 days

# %%
prediction = forecast(series, 28)
print(prediction.round(0).head(14).to_string())
fig, ax = plt.subplots(figsize=(11, 4))
recent = series.iloc[-90:]
ax.plot(recent.index, recent.to_numpy(), label="actual")
ax.fill_between(prediction.index, prediction["lower_95"], prediction["upper_95"], alpha=0.2,
                label="95 % interval")  # fmt: skip
ax.fill_between(prediction.index, prediction["lower_80"], prediction["upper_80"], alpha=0.35,
                label="80 % interval")  # fmt: skip
ax.plot(prediction.index, prediction["forecast"], label="forecast")
ax.legend()
ax.set_title("Daily net revenue (USD)")
fig.tight_layout()
fig.savefig(figures / "forecast.png")
warehouse.close()
