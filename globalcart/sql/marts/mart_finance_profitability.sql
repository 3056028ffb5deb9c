-- grain: one row per month, product category and brand: revenue order lines' P&L (USD).
-- net revenue = line gross - line discount - refunds of the line counted in net revenue;
-- COGS = units x unit cost of the product version valid at the order time (0 when unknown).
-- Lines come from marts.mart_item_profitability, which holds exactly these per-line amounts.
-- incremental: key=month
-- incremental: restrict=marts.mart_item_profitability:order_month
-- incremental: changed=select distinct cast(date_trunc('month', day) as date) from scope.days
-- A month is recomputed when one of its days' order amounts may change (scope.days; a change of
-- a product's category or brand reaches every day of its orders there too).
with lines as (
    select
        order_month as month,
        category,
        brand,
        order_id,
        units as qty,
        line_gross_usd,
        line_discount_usd,
        refund_usd,
        cogs_usd
    from marts.mart_item_profitability
    where is_revenue
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
