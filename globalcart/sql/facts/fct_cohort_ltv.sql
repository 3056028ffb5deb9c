-- grain: one row per acquisition cohort (month of the customer's first revenue order):
-- cumulative net revenue per customer within 7, 30 and 90 days of the first order
with cohorts as (
    select
        cohort_month,
        count(*) as customers,
        sum(revenue_7d_usd) as revenue_7d_usd,
        sum(revenue_30d_usd) as revenue_30d_usd,
        sum(revenue_90d_usd) as revenue_90d_usd
    from dw.fct_customer_revenue
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
