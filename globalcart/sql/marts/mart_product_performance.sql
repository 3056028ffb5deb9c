-- grain: one row per product (current attributes): sales, COGS, refunds and returns, funnel
-- sessions, latest stock over all fulfillment centers and the ABC class (A while the net revenue
-- of the products ranked before it is under 80 % of the total, B under 95 %, else C).
with products as (
    select product_id, sku, product_name, category_l1, category_l2, brand, list_price_usd,
        unit_cost_usd, is_active
    from dw.dim_product
    where is_current
),
sales as (
    select
        i.product_id,
        cast(sum(case when i.is_first_line_of_product then 1 else 0 end) as bigint) as orders,
        cast(sum(i.qty) as bigint) as units,
        sum(i.line_gross_usd - i.line_discount_usd) as sales_usd,
        sum(coalesce(i.cogs_usd, 0)) as cogs_usd
    from dw.fct_order_items as i
    where i.is_revenue
    group by i.product_id
),
returns as (
    select
        product_id,
        count(*) as returns,
        cast(sum(qty) as bigint) as returned_units,
        sum(case when counts_as_refund then refund_amount_usd else 0 end) as refunds_usd
    from dw.fct_returns
    group by product_id
),
funnel as (
    select
        product_id,
        cast(sum(viewed) as bigint) as view_sessions,
        cast(sum(carted) as bigint) as cart_sessions,
        cast(sum(case when carted = 1 and purchased = 1 then 1 else 0 end) as bigint)
            as purchase_sessions,
        cast(sum(case when carted = 1 and purchased = 0 then 1 else 0 end) as bigint)
            as leaked_cart_sessions
    from dw.fct_product_sessions
    group by product_id
),
latest as (
    select max(snapshot_date) as snapshot_date from dw.fct_inventory_daily
),
stock as (
    select
        i.product_id,
        cast(sum(i.on_hand) as bigint) as on_hand,
        cast(sum(i.available) as bigint) as available,
        cast(sum(case when i.is_alert then 1 else 0 end) as bigint) as alert_centers
    from dw.fct_inventory_daily as i
    inner join latest as l on l.snapshot_date = i.snapshot_date
    group by i.product_id
),
joined as (
    select
        p.product_id,
        p.sku,
        p.product_name,
        p.category_l1 as category,
        p.category_l2 as subcategory,
        p.brand,
        p.list_price_usd,
        p.unit_cost_usd,
        p.is_active,
        coalesce(s.orders, 0) as orders,
        coalesce(s.units, 0) as units,
        coalesce(s.sales_usd, 0) - coalesce(r.refunds_usd, 0) as net_revenue_usd,
        coalesce(s.cogs_usd, 0) as cogs_usd,
        coalesce(s.sales_usd, 0) - coalesce(r.refunds_usd, 0) - coalesce(s.cogs_usd, 0)
            as gross_profit_usd,
        coalesce(r.returns, 0) as returns,
        coalesce(r.returned_units, 0) as returned_units,
        coalesce(r.refunds_usd, 0) as refunds_usd,
        coalesce(f.view_sessions, 0) as view_sessions,
        coalesce(f.cart_sessions, 0) as cart_sessions,
        coalesce(f.purchase_sessions, 0) as purchase_sessions,
        coalesce(f.leaked_cart_sessions, 0) as leaked_cart_sessions,
        coalesce(k.on_hand, 0) as on_hand,
        coalesce(k.available, 0) as available,
        coalesce(k.alert_centers, 0) as alert_centers
    from products as p
    left join sales as s on s.product_id = p.product_id
    left join returns as r on r.product_id = p.product_id
    left join funnel as f on f.product_id = p.product_id
    left join stock as k on k.product_id = p.product_id
),
ranked as (
    select
        *,
        sum(net_revenue_usd) over (
            order by net_revenue_usd desc, product_id
            rows between unbounded preceding and current row
        ) as cumulative_revenue_usd,
        sum(net_revenue_usd) over () as total_revenue_usd,
        row_number() over (order by net_revenue_usd desc, product_id) as revenue_rank
    from joined
),
final as (
    select
        product_id,
        sku,
        product_name,
        category,
        subcategory,
        brand,
        list_price_usd,
        unit_cost_usd,
        is_active,
        orders,
        units,
        net_revenue_usd,
        cogs_usd,
        gross_profit_usd,
        cast(gross_profit_usd as double precision)
            / nullif(cast(net_revenue_usd as double precision), 0) as gross_margin,
        returns,
        returned_units,
        refunds_usd,
        cast(returned_units as double precision) / nullif(cast(units as double precision), 0)
            as return_rate,
        view_sessions,
        cart_sessions,
        purchase_sessions,
        leaked_cart_sessions,
        cast(leaked_cart_sessions as double precision)
            / nullif(cast(cart_sessions as double precision), 0) as cart_leakage_rate,
        on_hand,
        available,
        alert_centers,
        revenue_rank,
        cumulative_revenue_usd,
        cast(cumulative_revenue_usd as double precision)
            / nullif(cast(total_revenue_usd as double precision), 0) as cumulative_share,
        case
            when net_revenue_usd > 0
                and cumulative_revenue_usd - net_revenue_usd < 0.80 * total_revenue_usd then 'A'
            when net_revenue_usd > 0
                and cumulative_revenue_usd - net_revenue_usd < 0.95 * total_revenue_usd then 'B'
            else 'C'
        end as abc_class
    from ranked
)
select * from final
