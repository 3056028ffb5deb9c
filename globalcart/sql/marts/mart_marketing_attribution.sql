-- grain: one row per day and campaign: spend and the revenue orders attributed by last touch
-- (the campaign of the order's session): orders, net revenue, gross profit (net revenue - COGS)
-- and first orders (new customers). Read through marts.vw_marketing_daily.
-- incremental: key=day
-- incremental: restrict=dw.fct_marketing_spend:spend_date,marts.mart_orders_core:order_date
-- incremental: changed=select day from scope.days union select day from marts.mart_marketing_attribution where campaign_sk in (select campaign_id from delta.campaigns)
with spend as (
    select
        spend_date as day,
        campaign_sk,
        sum(spend_usd) as spend_usd,
        cast(sum(impressions) as bigint) as impressions,
        cast(sum(clicks) as bigint) as clicks
    from dw.fct_marketing_spend
    group by spend_date, campaign_sk
),
attributed as (
    select
        o.order_date as day,
        s.campaign_sk,
        count(*) as orders,
        sum(o.net_revenue_usd) as revenue_usd,
        sum(o.net_revenue_usd - o.cogs_usd) as gross_profit_usd,
        cast(sum(case when o.customer_order_number = 1 then 1 else 0 end) as bigint)
            as new_customers
    from marts.mart_orders_core as o
    inner join dw.fct_sessions as s on s.session_id = o.session_id
    where o.is_revenue and s.campaign_sk <> -1
    group by o.order_date, s.campaign_sk
),
keys as (
    select day, campaign_sk from spend
    union
    select day, campaign_sk from attributed
)
select
    k.day,
    k.campaign_sk,
    coalesce(c.campaign_name, 'No campaign') as campaign,
    coalesce(c.channel, 'none') as marketing_channel,
    coalesce(sp.spend_usd, 0) as spend_usd,
    coalesce(sp.impressions, 0) as impressions,
    coalesce(sp.clicks, 0) as clicks,
    coalesce(a.orders, 0) as attributed_orders,
    coalesce(a.revenue_usd, 0) as attributed_revenue_usd,
    coalesce(a.gross_profit_usd, 0) as attributed_gross_profit_usd,
    coalesce(a.new_customers, 0) as new_customers
from keys as k
left join spend as sp on sp.day = k.day and sp.campaign_sk = k.campaign_sk
left join attributed as a on a.day = k.day and a.campaign_sk = k.campaign_sk
left join dw.dim_campaign as c on c.campaign_sk = k.campaign_sk
