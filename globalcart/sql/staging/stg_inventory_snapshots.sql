-- incremental: key=snapshot_date=date,product_id,fc_id
with checked as (
    select * from staging.chk_inventory_snapshots where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (
            partition by date, product_id, fc_id order by ingested_at desc, row_hash desc
        ) as rn
    from checked
),
final as (
    select
        date as snapshot_date,
        product_id,
        fc_id,
        on_hand,
        allocated,
        reorder_point,
        inbound,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
