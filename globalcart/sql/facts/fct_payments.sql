-- grain: one row per payment attempt of a valid order
-- incremental: key=order_id
-- incremental: restrict=staging.stg_payments:order_id,staging.stg_orders:order_id
-- incremental: changed=select order_id from scope.touched_orders
with payments as (
    select * from staging.stg_payments
),
orders as (
    select order_id, customer_id, ship_to_geo_id from staging.stg_orders
),
final as (
    select
        p.payment_id,
        p.order_id,
        o.customer_id,
        coalesce(o.ship_to_geo_id, -1) as geo_sk,
        p.attempt_no,
        p.method,
        p.provider,
        p.status,
        p.status = 'failed' as is_failed,
        p.failure_reason,
        p.currency,
        p.amount,
        p.amount_usd,
        p.gateway_fee_usd,
        p.created_at,
        cast(p.created_at as date) as created_date,
        p.captured_at
    from payments as p
    inner join orders as o on o.order_id = p.order_id
)
select * from final
