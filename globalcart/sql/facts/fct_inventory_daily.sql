-- grain: one row per snapshot date, product and fulfillment center
-- incremental: key=snapshot_date+product_id
-- incremental: restrict=staging.stg_inventory_snapshots:snapshot_date+product_id
-- incremental: changed=select date, product_id from delta.inventory_snapshots union select s.snapshot_date, s.product_id from staging.stg_inventory_snapshots as s inner join scope.product_changes as p on p.product_id = s.product_id where cast(s.snapshot_date as timestamp) >= p.changed_from
with snapshots as (
    select * from staging.stg_inventory_snapshots
),
products as (
    select product_sk, product_id, valid_from, valid_to from dw.dim_product
),
final as (
    select
        s.snapshot_date,
        s.product_id,
        s.fc_id,
        coalesce(p.product_sk, -1) as product_sk,
        coalesce(s.fc_id, -1) as fc_sk,
        s.on_hand,
        s.allocated,
        s.reorder_point,
        s.inbound,
        s.on_hand - s.allocated as available,
        s.on_hand - s.allocated < s.reorder_point as is_alert
    from snapshots as s
    left join products as p
        on p.product_id = s.product_id
        and cast(s.snapshot_date as timestamp) >= p.valid_from
        and cast(s.snapshot_date as timestamp) < p.valid_to
)
select * from final
