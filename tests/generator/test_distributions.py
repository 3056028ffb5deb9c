"""The synthetic store looks like a store: shares, rates and seasonality within tolerances."""

from __future__ import annotations

import pandas as pd

from globalcart.generator.pools import SEGMENT_SHARES
from tests.generator.landing import Landing


def test_order_count_matches_the_request(small: Landing) -> None:
    orders = small.df("orders")
    paid = orders[orders["status"] != "created"]
    assert len(paid) == 30_000
    assert 0.01 < (orders["status"] == "created").mean() < 0.1


def test_segment_shares(small: Landing) -> None:
    first = small.df("customers").sort_values("updated_at").groupby("customer_id").head(1)
    shares = first["segment"].value_counts(normalize=True)
    for segment, share in zip(("Premium", "Regular", "Budget"), SEGMENT_SHARES, strict=True):
        assert abs(shares[segment] - share) < 0.03, segment


def test_premium_customers_buy_more_often_and_bigger_baskets(small: Landing) -> None:
    customers = small.df("customers").sort_values("updated_at").groupby("customer_id").tail(1)
    orders = small.df("orders").merge(customers[["customer_id", "segment"]], on="customer_id")
    items = small.df("order_items").groupby("order_id").size().rename("lines")
    orders = orders.join(items, on="order_id")
    lines = orders.groupby("segment")["lines"].mean()
    assert lines["Premium"] > lines["Regular"] > lines["Budget"]
    per_customer = orders.groupby("customer_id").size()
    freq = per_customer.to_frame("n").join(customers.set_index("customer_id")["segment"])
    mean = freq.groupby("segment")["n"].mean()
    assert mean["Premium"] > mean["Regular"] > mean["Budget"]


def test_payment_failure_rates_differ_by_method_and_country(small: Landing) -> None:
    payments = small.df("payments")
    failed = payments["status"] == "failed"
    assert 0.02 < failed.mean() < 0.15
    by_method = failed.groupby(payments["method"]).mean()
    assert by_method["bank_transfer"] > 1.5 * by_method["paypal"]
    orders = small.df("orders")[["order_id", "ship_to_geo_id"]]
    geo = small.df("geo")[["geo_id", "country_code"]]
    country = payments.merge(orders, on="order_id").merge(
        geo, left_on="ship_to_geo_id", right_on="geo_id"
    )
    by_country = (country["status"] == "failed").groupby(country["country_code"]).mean()
    assert by_country["BR"] > 1.5 * by_country["US"]


def test_return_and_sla_rates(small: Landing) -> None:
    shipments = small.df("shipments")
    delivered = shipments[shipments["delivered_at"].notna()]
    late = (
        pd.to_datetime(delivered["delivered_at"]).dt.strftime("%Y-%m-%d")
        > delivered["promised_delivery_date"]
    )
    assert 0.03 < late.mean() < 0.3
    returned_orders = small.df("returns")["order_id"].nunique()
    assert 0.04 < returned_orders / len(delivered) < 0.25
    by_fc = late.groupby(delivered["fc_id"]).mean()
    assert by_fc.max() - by_fc.min() > 0.02


def test_november_december_peak_and_weekday_pattern(small: Landing) -> None:
    orders = small.df("orders")
    ts = pd.to_datetime(orders["order_ts"])
    daily = ts.dt.date.value_counts()
    months = pd.Series(pd.to_datetime(daily.index).month, index=daily.index)
    peak = daily[months.isin([11, 12])].mean()
    rest = daily[~months.isin([11, 12])].mean()
    assert peak > 1.3 * rest
    by_weekday = ts.dt.day_of_week.value_counts(normalize=True)
    assert by_weekday[5] < by_weekday[0]  # Saturday dips


def test_about_ten_funnel_events_per_order_and_several_sessions_per_customer(
    small: Landing,
) -> None:
    orders = len(small.df("orders"))
    assert 8 < small.manifest["tables"]["funnel_events"]["rows"] / orders < 13
    sessions = small.df("sessions")
    per_customer = sessions["customer_id"].dropna().value_counts()
    assert per_customer.mean() > 2


def test_conversion_differs_by_traffic_source(small: Landing) -> None:
    sessions = small.df("sessions")
    converted = sessions["session_id"].isin(small.df("orders")["session_id"])
    rate = converted.groupby(sessions["traffic_source"]).mean()
    assert rate["email"] > rate["social"] * 1.3
    assert sessions["campaign_id"].notna().any()


def test_several_countries_currencies_and_daily_fx(small: Landing) -> None:
    orders = small.df("orders")
    assert orders["currency"].nunique() >= 8
    fx = small.df("fx_rates")
    assert fx.groupby("currency")["rate_to_usd"].nunique().drop("USD").min() > 100


def test_customers_lapse_more_often_in_cheaper_segments(small: Landing) -> None:
    orders = small.df("orders")
    customers = small.df("customers").sort_values("updated_at").groupby("customer_id").head(1)
    orders = orders.merge(customers[["customer_id", "segment"]], on="customer_id")
    ts = pd.to_datetime(orders["order_ts"])
    span = ts.groupby(orders["customer_id"]).agg(["min", "max"])
    early = span[span["min"] < pd.Timestamp("2025-06-01")]
    lapsed = early["max"] < pd.Timestamp("2026-01-01")  # no order in the last six months
    assert 0.2 < lapsed.mean() < 0.8
    segment = customers.set_index("customer_id").loc[early.index, "segment"]
    by_segment = lapsed.groupby(segment).mean()
    assert by_segment["Budget"] > by_segment["Premium"]
