-- incremental: key=event_id
-- incremental: index=session_id,product_id+event_ts
with checked as (
    select * from staging.chk_funnel_events where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (partition by event_id order by ingested_at desc, row_hash desc) as rn
    from checked
),
final as (
    select
        event_id,
        session_id,
        event_ts,
        upper(stage) as stage,
        product_id,
        order_id,
        failure_reason,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
