-- incremental: key=session_id
-- incremental: index=customer_id,started_at
with checked as (
    select * from staging.chk_sessions where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (partition by session_id order by ingested_at desc, row_hash desc) as rn
    from checked
),
final as (
    select
        session_id,
        customer_id,
        started_at,
        lower(device) as device,
        lower(traffic_source) as traffic_source,
        campaign_id,
        geo_id,
        landing_page,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
