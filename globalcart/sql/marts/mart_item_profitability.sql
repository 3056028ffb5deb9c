-- grain: one row per order line: product, net revenue (gross - line discount - refunds of the
-- line counted in net revenue), COGS (units x unit cost of the product version valid at the
-- order time; 0 when the product is unknown) and gross profit. Read via marts.vw_item_profitability.
-- incremental: key=order_id
-- incremental: restrict=dw.fct_order_items:order_id,dw.fct_returns:order_id,marts.mart_orders_core:order_id
-- (no customer order number or next-order date here: the orders whose numbers shift keep their rows)
-- incremental: changed=select order_id from scope.touched_orders
-- incremental: index=order_month
with line_refunds as (
    select order_id, line_no, sum(refund_amount_usd) as refund_usd
    from dw.fct_returns
    where counts_as_refund
    group by order_id, line_no
),
lines as (
    select
        i.order_id,
        i.line_no,
        i.order_date,
        cast(date_trunc('month', i.order_date) as date) as order_month,
        o.is_revenue,
        i.product_id,
        i.qty as units,
        i.line_gross_usd,
        i.line_discount_usd,
        coalesce(r.refund_usd, 0) as refund_usd,
        coalesce(i.cogs_usd, 0) as cogs_usd,
        o.country,
        o.channel,
        o.segment,
        coalesce(p.product_name, 'Unknown') as product,
        coalesce(p.category_l1, 'Unknown') as category,
        coalesce(p.category_l2, 'Unknown') as subcategory,
        coalesce(p.brand, 'Unknown') as brand
    from dw.fct_order_items as i
    inner join marts.mart_orders_core as o on o.order_id = i.order_id
    left join line_refunds as r on r.order_id = i.order_id and r.line_no = i.line_no
    left join dw.dim_product as p on p.product_sk = i.product_sk
)
select
    *,
    line_gross_usd - line_discount_usd - refund_usd as net_revenue_usd,
    line_gross_usd - line_discount_usd - refund_usd - cogs_usd as gross_profit_usd
from lines
