-- grain: one row per session, with the funnel stages reached (0/1 flags)
-- incremental: key=session_id
-- incremental: restrict=staging.stg_sessions:session_id,staging.stg_funnel_events:session_id
-- incremental: changed=select session_id from scope.sessions
-- incremental: index=session_date
with sessions as (
    select * from staging.stg_sessions
),
customers as (
    select customer_sk, customer_id, valid_from, valid_to from dw.dim_customer
),
stages as (
    select
        session_id,
        count(*) as event_count,
        max(case when stage = 'VIEW_PRODUCT' then 1 else 0 end) as has_view_product,
        max(case when stage = 'SEARCH' then 1 else 0 end) as has_search,
        max(case when stage = 'ADD_TO_CART' then 1 else 0 end) as has_add_to_cart,
        max(case when stage = 'CHECKOUT_STARTED' then 1 else 0 end) as has_checkout,
        max(case when stage = 'PAYMENT_ATTEMPTED' then 1 else 0 end) as has_payment_attempt,
        max(case when stage = 'PAYMENT_FAILED' then 1 else 0 end) as has_payment_failed,
        max(case when stage = 'ORDER_PLACED' then 1 else 0 end) as has_order
    from staging.stg_funnel_events
    group by session_id
),
final as (
    select
        s.session_id,
        coalesce(c.customer_sk, -1) as customer_sk,
        s.customer_id,
        coalesce(s.geo_id, -1) as geo_sk,
        coalesce(s.campaign_id, -1) as campaign_sk,
        s.started_at,
        cast(s.started_at as date) as session_date,
        s.device,
        s.traffic_source,
        s.landing_page,
        coalesce(e.event_count, 0) as event_count,
        coalesce(e.has_view_product, 0) as has_view_product,
        coalesce(e.has_search, 0) as has_search,
        coalesce(e.has_add_to_cart, 0) as has_add_to_cart,
        coalesce(e.has_checkout, 0) as has_checkout,
        coalesce(e.has_payment_attempt, 0) as has_payment_attempt,
        coalesce(e.has_payment_failed, 0) as has_payment_failed,
        coalesce(e.has_order, 0) as has_order
    from sessions as s
    left join customers as c
        on c.customer_id = s.customer_id
        and s.started_at >= c.valid_from
        and s.started_at < c.valid_to
    left join stages as e on e.session_id = s.session_id
)
select * from final
