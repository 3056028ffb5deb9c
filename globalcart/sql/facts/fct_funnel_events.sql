-- grain: one row per clickstream event
-- incremental: key=event_id
-- incremental: restrict=staging.stg_funnel_events:event_id
-- incremental: changed=select event_id from delta.funnel_events union select e.event_id from staging.stg_funnel_events as e inner join scope.product_changes as p on p.product_id = e.product_id where e.event_ts >= p.changed_from
-- incremental: index=session_id
with events as (
    select * from staging.stg_funnel_events
),
products as (
    select product_sk, product_id, valid_from, valid_to from dw.dim_product
),
final as (
    select
        e.event_id,
        e.session_id,
        e.event_ts,
        cast(e.event_ts as date) as event_date,
        e.stage,
        p.product_sk,
        e.product_id,
        e.order_id,
        e.failure_reason
    from events as e
    left join products as p
        on p.product_id = e.product_id
        and e.event_ts >= p.valid_from
        and e.event_ts < p.valid_to
)
select * from final
