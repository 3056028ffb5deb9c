-- grain: one row per shipment of a valid order
-- incremental: key=order_id
-- incremental: restrict=staging.stg_shipments:order_id,staging.stg_orders:order_id
-- incremental: changed=select order_id from scope.touched_orders
with shipments as (
    select * from staging.stg_shipments
),
orders as (
    select order_id from staging.stg_orders
),
final as (
    select
        s.shipment_id,
        s.order_id,
        coalesce(s.fc_id, -1) as fc_sk,
        s.carrier,
        s.status,
        s.shipped_at,
        cast(s.shipped_at as date) as shipped_date,
        s.promised_delivery_date,
        s.delivered_at,
        cast(s.delivered_at as date) as delivered_date,
        cast(s.delivered_at as date) - cast(s.shipped_at as date) as days_to_deliver,
        coalesce(cast(s.delivered_at as date) > s.promised_delivery_date, false) as is_late,
        s.shipping_cost_usd
    from shipments as s
    inner join orders as o on o.order_id = s.order_id
)
select * from final
