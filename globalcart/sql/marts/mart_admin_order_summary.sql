-- grain: one row per order for the admin monitor: customer, amounts, order P&L and flags, the
-- last payment attempt, payment attempts and failures, shipment and return status.
-- Read through marts.vw_admin_order_summary.
-- incremental: key=order_id
-- incremental: restrict=marts.mart_orders_core:order_id,dw.fct_payments:order_id,dw.fct_shipments:order_id
-- (no customer order number or next-order date here: the orders whose numbers shift keep their rows)
-- incremental: changed=select order_id from scope.touched_orders
with payments as (
    select
        order_id,
        count(*) as payment_attempts,
        cast(sum(case when is_failed then 1 else 0 end) as bigint) as failed_attempts
    from dw.fct_payments
    group by order_id
),
last_payment as (
    select
        order_id,
        status,
        method,
        provider,
        row_number() over (
            partition by order_id order by attempt_no desc, payment_id desc
        ) as rn
    from dw.fct_payments
),
shipments as (
    select
        order_id,
        min(carrier) as carrier,
        max(delivered_at) as delivered_at,
        max(case when is_late then 1 else 0 end) as is_late
    from dw.fct_shipments
    group by order_id
)
select
    o.order_id,
    o.order_ts,
    o.order_date,
    o.status,
    o.is_revenue,
    o.customer_id,
    c.email,
    c.full_name,
    o.country,
    o.channel,
    o.segment,
    o.currency,
    o.line_count,
    o.units,
    o.gross_amount_usd,
    o.discount_amount_usd,
    o.tax_amount_usd,
    o.shipping_fee_usd,
    o.refund_amount_usd,
    o.net_revenue_usd,
    o.cogs_usd,
    o.shipping_cost_usd,
    o.gateway_fee_usd,
    o.order_profit_usd,
    o.is_discount_heavy,
    o.is_loss_making,
    lp.status as payment_status,
    lp.method as payment_method,
    lp.provider as payment_provider,
    coalesce(p.payment_attempts, 0) as payment_attempts,
    coalesce(p.failed_attempts, 0) as failed_payment_attempts,
    s.carrier,
    s.delivered_at,
    coalesce(s.is_late, 0) = 1 as is_late,
    o.has_return
from marts.mart_orders_core as o
left join dw.dim_customer as c on c.customer_sk = o.customer_sk
left join payments as p on p.order_id = o.order_id
left join last_payment as lp on lp.order_id = o.order_id and lp.rn = 1
left join shipments as s on s.order_id = o.order_id
-- stored in order_id (and so date) order: a merge or a day's read then touches few pages
order by o.order_id
