-- incremental: key=order_id,line_no
-- latest row per order line (amounts in the order currency; USD in dw.fct_order_items)
with checked as (
    select * from staging.chk_order_items where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (
            partition by order_id, line_no order by ingested_at desc, updated_at desc, row_hash desc
        ) as rn
    from checked
),
final as (
    select
        order_id,
        line_no,
        product_id,
        qty,
        unit_list_price,
        unit_sell_price,
        line_discount,
        line_tax,
        cast(qty * unit_sell_price as decimal(18, 2)) as line_gross,
        updated_at,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
