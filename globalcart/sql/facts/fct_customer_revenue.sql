-- grain: one row per customer with a revenue order: first and last revenue order, frequency and
-- net revenue, the revenue within 7, 30 and 90 days of the first order, and the months after the
-- first order's month (0-12) with a revenue order as bits (bit n = month n). The customer marts
-- (RFM segments, cohort LTV and retention) read this instead of every order.
-- incremental: key=customer_id
-- incremental: restrict=dw.fct_orders:customer_id
-- (it reads only dw.fct_orders: the customers, old and new, of the order rows that changed)
-- incremental: changed=select customer_id from diff.dw.fct_orders where customer_id is not null
with orders as (
    select customer_id, order_ts, order_date, net_revenue_usd
    from dw.fct_orders
    where is_revenue and customer_id is not null
),
firsts as (
    select customer_id, min(order_ts) as first_order_ts
    from orders
    group by customer_id
),
final as (
    select
        f.customer_id,
        f.first_order_ts,
        cast(date_trunc('month', f.first_order_ts) as date) as cohort_month,
        min(o.order_date) as first_order_date,
        max(o.order_date) as last_order_date,
        count(*) as frequency,
        sum(o.net_revenue_usd) as monetary_usd,
        sum(case when o.order_ts < f.first_order_ts + interval '7 days'
            then o.net_revenue_usd else 0 end) as revenue_7d_usd,
        sum(case when o.order_ts < f.first_order_ts + interval '30 days'
            then o.net_revenue_usd else 0 end) as revenue_30d_usd,
        sum(case when o.order_ts < f.first_order_ts + interval '90 days'
            then o.net_revenue_usd else 0 end) as revenue_90d_usd,
        cast(bit_or(cast(1 as integer) << cast(
            (extract(year from o.order_date) - extract(year from f.first_order_ts)) * 12
            + extract(month from o.order_date) - extract(month from f.first_order_ts)
            as integer
        )) filter (where o.order_date < cast(date_trunc('month', f.first_order_ts) as date)
            + interval '13 months') as integer) as active_months_mask
    from firsts as f
    inner join orders as o on o.customer_id = f.customer_id
    group by f.customer_id, f.first_order_ts
)
select * from final
