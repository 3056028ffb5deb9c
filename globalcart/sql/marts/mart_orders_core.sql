-- grain: one row per order (all statuses): amounts, order P&L (COGS, shipping cost, gateway
-- fees, profit; discount-heavy and loss-making flags), returns, days to the customer's next
-- revenue order and the breakdown dimensions. Read through marts.vw_orders_core.
-- incremental: key=order_id
-- incremental: restrict=dw.fct_orders:order_id,dw.fct_customer_orders:order_id,dw.fct_order_items:order_id,dw.fct_returns:order_id
-- (besides the touched orders, those whose customer order number or next-order date moved)
-- incremental: changed=select order_id from scope.touched_orders union select order_id from diff.dw.fct_customer_orders
-- incremental: index=order_date
with returns as (
    select order_id, cast(sum(qty) as bigint) as returned_units
    from dw.fct_returns
    group by order_id
),
costs as (
    select order_id, sum(coalesce(cogs_usd, 0)) as cogs_usd
    from dw.fct_order_items
    group by order_id
),
orders as (
    select
        o.*,
        coalesce(c.cogs_usd, 0) as cogs_usd,
        case when o.is_revenue then o.net_revenue_usd + o.shipping_fee_usd
            - coalesce(c.cogs_usd, 0) - o.shipping_cost_usd - o.gateway_fee_usd
            else 0 end as order_profit_usd,
        r.order_id is not null as has_return,
        coalesce(r.returned_units, 0) as returned_units,
        n.next_order_date - o.order_date as days_to_next_order
    from dw.fct_orders as o
    left join costs as c on c.order_id = o.order_id
    left join returns as r on r.order_id = o.order_id
    left join dw.fct_customer_orders as n on n.order_id = o.order_id
)
select
    o.order_id,
    o.order_date,
    o.order_ts,
    o.status,
    o.is_revenue,
    o.customer_id,
    o.customer_sk,
    o.session_id,
    o.customer_order_number,
    o.currency,
    o.line_count,
    o.units,
    o.gross_amount_usd,
    o.discount_amount_usd,
    o.tax_amount_usd,
    o.shipping_fee_usd,
    o.refund_amount_usd,
    o.net_revenue_usd,
    o.gateway_fee_usd,
    o.shipping_cost_usd,
    o.cogs_usd,
    o.order_profit_usd,
    o.gross_amount_usd > 0 and o.discount_amount_usd >= 0.2 * o.gross_amount_usd
        as is_discount_heavy,
    o.is_revenue and o.order_profit_usd < 0 as is_loss_making,
    o.has_return,
    o.returned_units,
    o.days_to_next_order,
    coalesce(g.country, 'Unknown') as country,
    coalesce(o.channel, 'unknown') as channel,
    coalesce(s.device, 'unknown') as device,
    coalesce(s.traffic_source, 'unknown') as traffic_source,
    coalesce(k.channel, 'none') as marketing_channel,
    coalesce(k.campaign_name, 'No campaign') as campaign,
    coalesce(dc.segment, 'Unknown') as segment
from orders as o
left join dw.dim_geo as g on g.geo_sk = o.ship_to_geo_sk
left join dw.dim_customer as dc on dc.customer_sk = o.customer_sk
left join dw.fct_sessions as s on s.session_id = o.session_id
left join dw.dim_campaign as k on k.campaign_sk = s.campaign_sk
-- stored in order_id (and so date) order: a merge or a day's read then touches few pages
order by o.order_id
