-- incremental: key=product_id,updated_at
-- every version of every product (business key product_id + updated_at)
with checked as (
    select * from staging.chk_products where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (
            partition by product_id, updated_at order by ingested_at desc, row_hash desc
        ) as rn
    from checked
),
final as (
    select
        product_id,
        sku,
        product_name,
        category_l1,
        category_l2,
        brand,
        unit_cost,
        list_price,
        is_active,
        updated_at,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
