-- SCD-2 on list_price and unit_cost: product_sk = product_id * 1000 + version_no (stable).
-- Other attributes are type 1 (latest row). The first version is valid from 1900-01-01.
with history as (
    select * from staging.stg_products
),
changes as (
    select
        product_id, list_price, unit_cost, updated_at,
        lag(list_price) over (partition by product_id order by updated_at) as prev_price,
        lag(unit_cost) over (partition by product_id order by updated_at) as prev_cost,
        row_number() over (partition by product_id order by updated_at) as seq
    from history
),
versions as (
    select
        product_id, list_price, unit_cost,
        row_number() over (partition by product_id order by updated_at) as version_no,
        updated_at
    from changes
    where seq = 1 or list_price is distinct from prev_price or unit_cost is distinct from prev_cost
),
latest as (
    select
        *,
        row_number() over (partition by product_id order by updated_at desc) as rn
    from history
),
final as (
    select
        v.product_id * 1000 + v.version_no as product_sk,
        v.product_id,
        v.version_no,
        l.sku,
        l.product_name,
        l.category_l1,
        l.category_l2,
        l.brand,
        v.list_price as list_price_usd,
        v.unit_cost as unit_cost_usd,
        l.is_active,
        case when v.version_no = 1 then cast('1900-01-01 00:00:00' as timestamp)
            else v.updated_at end as valid_from,
        coalesce(
            lead(v.updated_at) over (partition by v.product_id order by v.version_no),
            cast('9999-12-31 00:00:00' as timestamp)
        ) as valid_to,
        lead(v.updated_at) over (partition by v.product_id order by v.version_no) is null
            as is_current
    from versions as v
    inner join latest as l on l.product_id = v.product_id and l.rn = 1
)
select * from final
