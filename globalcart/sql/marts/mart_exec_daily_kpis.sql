-- grain: one row per day of dw.dim_date: the executive headline numbers (USD). Revenue numbers
-- count revenue orders by order date; ratios are double-precision ratios of exact sums.
-- Leakage inputs: abandoned carts (sessions with add-to-cart and no order) by session date, and
-- orders with a failed payment that never became revenue (gross - discount) by order date.
-- incremental: key=day
-- incremental: restrict=dw.fct_orders:order_date,dw.fct_order_items:order_date,dw.fct_sessions:session_date,dw.fct_marketing_spend:spend_date,dw.dim_date:date_day
-- incremental: changed=select day from scope.days union select date_day from dw.dim_date where date_day not in (select day from marts.mart_exec_daily_kpis)
with days as (
    select date_day from dw.dim_date
),
orders as (
    select
        order_date,
        count(*) as orders,
        cast(sum(units) as bigint) as units,
        count(distinct customer_id) as customers,
        cast(sum(case when customer_order_number = 1 then 1 else 0 end) as bigint)
            as new_customers,
        sum(gross_amount_usd) as gross_revenue_usd,
        sum(discount_amount_usd) as discounts_usd,
        sum(tax_amount_usd) as tax_usd,
        sum(refund_amount_usd) as refunds_usd,
        sum(net_revenue_usd) as net_revenue_usd,
        sum(shipping_cost_usd) as shipping_cost_usd,
        sum(gateway_fee_usd) as gateway_fees_usd
    from dw.fct_orders
    where is_revenue
    group by order_date
),
costs as (
    select i.order_date, sum(coalesce(i.cogs_usd, 0)) as cogs_usd
    from dw.fct_order_items as i
    inner join dw.fct_orders as o on o.order_id = i.order_id
    where o.is_revenue
    group by i.order_date
),
sessions as (
    select
        session_date,
        count(*) as sessions,
        cast(sum(has_add_to_cart) as bigint) as cart_sessions,
        cast(sum(has_order) as bigint) as order_sessions,
        cast(sum(case when has_add_to_cart = 1 and has_order = 0 then 1 else 0 end) as bigint)
            as abandoned_cart_sessions
    from dw.fct_sessions
    group by session_date
),
payments as (
    select
        created_date,
        count(*) as payment_attempts,
        cast(sum(case when is_failed then 1 else 0 end) as bigint) as failed_payments
    from dw.fct_payments
    group by created_date
),
failed as (
    select
        o.order_date,
        count(*) as failed_orders,
        sum(o.gross_amount_usd - o.discount_amount_usd) as payment_failure_loss_usd
    from dw.fct_orders as o
    where not o.is_revenue
        and exists (
            select 1 from dw.fct_payments as p where p.order_id = o.order_id and p.is_failed
        )
    group by o.order_date
),
spend as (
    select spend_date, sum(spend_usd) as marketing_spend_usd
    from dw.fct_marketing_spend
    group by spend_date
),
daily as (
    select
        d.date_day as day,
        coalesce(o.orders, 0) as orders,
        coalesce(o.units, 0) as units,
        coalesce(o.customers, 0) as customers,
        coalesce(o.new_customers, 0) as new_customers,
        coalesce(o.gross_revenue_usd, 0) as gross_revenue_usd,
        coalesce(o.discounts_usd, 0) as discounts_usd,
        coalesce(o.tax_usd, 0) as tax_usd,
        coalesce(o.refunds_usd, 0) as refunds_usd,
        coalesce(o.net_revenue_usd, 0) as net_revenue_usd,
        coalesce(c.cogs_usd, 0) as cogs_usd,
        coalesce(o.shipping_cost_usd, 0) as shipping_cost_usd,
        coalesce(o.gateway_fees_usd, 0) as gateway_fees_usd,
        coalesce(s.sessions, 0) as sessions,
        coalesce(s.cart_sessions, 0) as cart_sessions,
        coalesce(s.order_sessions, 0) as order_sessions,
        coalesce(s.abandoned_cart_sessions, 0) as abandoned_cart_sessions,
        coalesce(p.payment_attempts, 0) as payment_attempts,
        coalesce(p.failed_payments, 0) as failed_payments,
        coalesce(f.failed_orders, 0) as failed_orders,
        coalesce(f.payment_failure_loss_usd, 0) as payment_failure_loss_usd,
        coalesce(m.marketing_spend_usd, 0) as marketing_spend_usd
    from days as d
    left join orders as o on o.order_date = d.date_day
    left join costs as c on c.order_date = d.date_day
    left join sessions as s on s.session_date = d.date_day
    left join payments as p on p.created_date = d.date_day
    left join failed as f on f.order_date = d.date_day
    left join spend as m on m.spend_date = d.date_day
),
final as (
    select
        *,
        net_revenue_usd - cogs_usd as gross_profit_usd,
        cast(net_revenue_usd as double precision)
            / nullif(cast(orders as double precision), 0) as aov_usd,
        cast(order_sessions as double precision)
            / nullif(cast(sessions as double precision), 0) as conversion_rate,
        cast(failed_payments as double precision)
            / nullif(cast(payment_attempts as double precision), 0) as payment_failure_rate,
        cast(net_revenue_usd - cogs_usd as double precision)
            / nullif(cast(net_revenue_usd as double precision), 0) as gross_margin
    from daily
)
select * from final
