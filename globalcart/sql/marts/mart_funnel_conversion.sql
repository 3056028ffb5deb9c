-- grain: one row per session day, traffic source and device: the session-based funnel
-- (a stage counts once per session) and its conversion and abandonment rates.
-- incremental: key=day
-- incremental: restrict=dw.fct_sessions:session_date
-- incremental: changed=select day from scope.days
with sessions as (
    select
        session_date,
        coalesce(traffic_source, 'unknown') as traffic_source,
        coalesce(device, 'unknown') as device,
        has_view_product,
        has_add_to_cart,
        has_checkout,
        has_payment_attempt,
        has_payment_failed,
        has_order
    from dw.fct_sessions
),
totals as (
    select
        session_date as day,
        traffic_source,
        device,
        count(*) as sessions,
        cast(sum(has_view_product) as bigint) as product_view_sessions,
        cast(sum(has_add_to_cart) as bigint) as cart_sessions,
        cast(sum(has_checkout) as bigint) as checkout_sessions,
        cast(sum(has_payment_attempt) as bigint) as payment_sessions,
        cast(sum(has_payment_failed) as bigint) as payment_failed_sessions,
        cast(sum(has_order) as bigint) as order_sessions,
        cast(sum(case when has_add_to_cart = 1 and has_order = 0 then 1 else 0 end) as bigint)
            as abandoned_cart_sessions,
        cast(sum(case when has_checkout = 1 and has_order = 0 then 1 else 0 end) as bigint)
            as abandoned_checkout_sessions
    from sessions
    group by session_date, traffic_source, device
),
final as (
    select
        *,
        cast(order_sessions as double precision) / cast(sessions as double precision)
            as conversion_rate,
        cast(abandoned_cart_sessions as double precision)
            / nullif(cast(cart_sessions as double precision), 0) as cart_abandonment_rate,
        cast(abandoned_checkout_sessions as double precision)
            / nullif(cast(checkout_sessions as double precision), 0) as checkout_abandonment_rate
    from totals
)
select * from final
