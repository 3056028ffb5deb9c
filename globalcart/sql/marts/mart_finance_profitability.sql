-- grain: one row per month, product category and brand: revenue order lines' P&L (USD).
-- net revenue = line gross - line discount - refunds of the line counted in net revenue;
-- COGS = units x unit cost of the product version valid at the order time (0 when unknown).
with line_refunds as (
    select order_id, line_no, sum(refund_amount_usd) as refund_usd
    from dw.fct_returns
    where counts_as_refund
    group by order_id, line_no
),
lines as (
    select
        cast(date_trunc('month', i.order_date) as date) as month,
        coalesce(p.category_l1, 'Unknown') as category,
        coalesce(p.brand, 'Unknown') as brand,
        i.order_id,
        i.qty,
        i.line_gross_usd,
        i.line_discount_usd,
        coalesce(r.refund_usd, 0) as refund_usd,
        coalesce(i.cogs_usd, 0) as cogs_usd
    from dw.fct_order_items as i
    inner join dw.fct_orders as o on o.order_id = i.order_id
    left join line_refunds as r on r.order_id = i.order_id and r.line_no = i.line_no
    left join dw.dim_product as p on p.product_sk = i.product_sk
    where o.is_revenue
),
totals as (
    select
        month,
        category,
        brand,
        count(distinct order_id) as orders,
        cast(sum(qty) as bigint) as units,
        sum(line_gross_usd) as gross_revenue_usd,
        sum(line_discount_usd) as discounts_usd,
        sum(refund_usd) as refunds_usd,
        sum(line_gross_usd - line_discount_usd - refund_usd) as net_revenue_usd,
        sum(cogs_usd) as cogs_usd
    from lines
    group by month, category, brand
),
final as (
    select
        *,
        net_revenue_usd - cogs_usd as gross_profit_usd,
        cast(net_revenue_usd - cogs_usd as double precision)
            / nullif(cast(net_revenue_usd as double precision), 0) as gross_margin
    from totals
)
select * from final
