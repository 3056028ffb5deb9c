-- grain: one row per return of a valid order; refunds count only within 30 days of delivery
-- incremental: key=order_id
-- incremental: restrict=staging.stg_returns:order_id,staging.stg_orders:order_id,staging.stg_shipments:order_id
-- incremental: changed=select order_id from scope.touched_orders
with returns as (
    select * from staging.stg_returns
),
orders as (
    select order_id, order_ts, currency, rate_to_usd from staging.stg_orders
),
deliveries as (
    select order_id, max(delivered_at) as delivered_at
    from staging.stg_shipments
    group by order_id
),
products as (
    select product_sk, product_id, valid_from, valid_to from dw.dim_product
),
final as (
    select
        r.return_id,
        r.order_id,
        r.line_no,
        coalesce(p.product_sk, -1) as product_sk,
        r.product_id,
        r.qty,
        r.reason,
        r.status,
        r.restocked,
        r.requested_at,
        cast(r.requested_at as date) as requested_date,
        r.received_at,
        r.refunded_at,
        d.delivered_at,
        cast(r.requested_at as date) - cast(d.delivered_at as date) as days_after_delivery,
        coalesce(r.requested_at <= d.delivered_at + interval '30 days', false) as is_within_window,
        o.currency,
        r.refund_amount,
        cast(round(r.refund_amount * o.rate_to_usd, 2) as decimal(18, 2)) as refund_amount_usd,
        r.refund_amount is not null
            and coalesce(r.requested_at <= d.delivered_at + interval '30 days', false)
            as counts_as_refund
    from returns as r
    inner join orders as o on o.order_id = r.order_id
    left join deliveries as d on d.order_id = r.order_id
    left join products as p
        on p.product_id = r.product_id
        and o.order_ts >= p.valid_from
        and o.order_ts < p.valid_to
)
select * from final
