-- incremental: key=shipment_id
with checked as (
    select * from staging.chk_shipments where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (
            partition by shipment_id order by ingested_at desc, updated_at desc, row_hash desc
        ) as rn
    from checked
),
final as (
    select
        shipment_id,
        order_id,
        fc_id,
        carrier,
        shipped_at,
        promised_delivery_date,
        delivered_at,
        shipping_cost as shipping_cost_usd,
        lower(status) as status,
        updated_at,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
