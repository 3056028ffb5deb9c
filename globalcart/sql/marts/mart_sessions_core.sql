-- grain: one row per session with the funnel stages reached (0/1) and its dimensions.
-- Read through marts.vw_sessions_core.
-- incremental: key=session_id
-- incremental: restrict=dw.fct_sessions:session_id
-- incremental: changed=select session_id from scope.sessions
select
    s.session_id,
    s.session_date,
    s.customer_id,
    s.has_view_product,
    s.has_add_to_cart,
    s.has_checkout,
    s.has_payment_attempt,
    s.has_payment_failed,
    s.has_order,
    case when s.has_add_to_cart = 1 and s.has_order = 0 then 1 else 0 end
        as is_cart_abandoned,
    case when s.has_checkout = 1 and s.has_order = 0 then 1 else 0 end
        as is_checkout_abandoned,
    coalesce(g.country, 'Unknown') as country,
    coalesce(s.device, 'unknown') as device,
    coalesce(s.traffic_source, 'unknown') as traffic_source,
    coalesce(k.channel, 'none') as marketing_channel,
    coalesce(k.campaign_name, 'No campaign') as campaign,
    coalesce(c.segment, 'Unknown') as segment
from dw.fct_sessions as s
left join dw.dim_geo as g on g.geo_sk = s.geo_sk
left join dw.dim_campaign as k on k.campaign_sk = s.campaign_sk
left join dw.dim_customer as c on c.customer_sk = s.customer_sk
