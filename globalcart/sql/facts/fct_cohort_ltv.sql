-- grain: one row per acquisition cohort (month of the customer's first revenue order):
-- cumulative net revenue per customer within 7, 30 and 90 days of the first order
with orders as (
    select customer_id, order_ts, net_revenue_usd
    from dw.fct_orders
    where is_revenue and customer_id is not null
),
firsts as (
    select customer_id, min(order_ts) as first_order_ts
    from orders
    group by customer_id
),
windowed as (
    select
        f.customer_id,
        cast(date_trunc('month', f.first_order_ts) as date) as cohort_month,
        sum(case when o.order_ts < f.first_order_ts + interval '7 days'
            then o.net_revenue_usd else 0 end) as revenue_7d,
        sum(case when o.order_ts < f.first_order_ts + interval '30 days'
            then o.net_revenue_usd else 0 end) as revenue_30d,
        sum(case when o.order_ts < f.first_order_ts + interval '90 days'
            then o.net_revenue_usd else 0 end) as revenue_90d
    from firsts as f
    inner join orders as o on o.customer_id = f.customer_id
    group by f.customer_id, cast(date_trunc('month', f.first_order_ts) as date)
),
cohorts as (
    select
        cohort_month,
        count(*) as customers,
        sum(revenue_7d) as revenue_7d_usd,
        sum(revenue_30d) as revenue_30d_usd,
        sum(revenue_90d) as revenue_90d_usd
    from windowed
    group by cohort_month
),
final as (
    -- averages rounded half up in whole cents with the same double arithmetic on both engines
    -- (DuckDB divides decimals as doubles, PostgreSQL exactly: they would differ on ties)
    select
        cohort_month,
        customers,
        revenue_7d_usd,
        revenue_30d_usd,
        revenue_90d_usd,
        cast(cast(floor(cast(200 * revenue_7d_usd + customers as double precision)
            / cast(2 * customers as double precision)) as bigint) * 0.01 as decimal(18, 2))
            as ltv_7d_usd,
        cast(cast(floor(cast(200 * revenue_30d_usd + customers as double precision)
            / cast(2 * customers as double precision)) as bigint) * 0.01 as decimal(18, 2))
            as ltv_30d_usd,
        cast(cast(floor(cast(200 * revenue_90d_usd + customers as double precision)
            / cast(2 * customers as double precision)) as bigint) * 0.01 as decimal(18, 2))
            as ltv_90d_usd
    from cohorts
)
select * from final
