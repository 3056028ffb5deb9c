-- grain: one row per order line of a valid order; product version valid at the order time
-- incremental: key=order_id
-- incremental: restrict=staging.stg_order_items:order_id,staging.stg_orders:order_id
-- incremental: changed=select order_id from scope.touched_orders
-- incremental: index=order_date
with items as (
    select * from staging.stg_order_items
),
orders as (
    select order_id, order_ts, order_date, currency, rate_to_usd, status, is_revenue
    from staging.stg_orders
),
products as (
    select product_sk, product_id, unit_cost_usd, list_price_usd, valid_from, valid_to
    from dw.dim_product
),
final as (
    select
        i.order_id,
        i.line_no,
        coalesce(p.product_sk, -1) as product_sk,
        i.product_id,
        o.order_ts,
        o.order_date,
        o.status as order_status,
        o.is_revenue,
        o.currency,
        i.qty,
        i.unit_list_price,
        i.unit_sell_price,
        i.line_gross,
        i.line_discount,
        i.line_tax,
        cast(round(i.line_gross * o.rate_to_usd, 2) as decimal(18, 2)) as line_gross_usd,
        cast(round(i.line_discount * o.rate_to_usd, 2) as decimal(18, 2)) as line_discount_usd,
        cast(round(i.line_tax * o.rate_to_usd, 2) as decimal(18, 2)) as line_tax_usd,
        p.list_price_usd as catalog_list_price_usd,
        p.unit_cost_usd,
        i.qty * p.unit_cost_usd as cogs_usd,
        -- counts the order once per product where it has several lines of that product
        row_number() over (partition by i.order_id, i.product_id order by i.line_no) = 1
            as is_first_line_of_product
    from items as i
    inner join orders as o on o.order_id = i.order_id
    left join products as p
        on p.product_id = i.product_id
        and o.order_ts >= p.valid_from
        and o.order_ts < p.valid_to
)
select * from final
