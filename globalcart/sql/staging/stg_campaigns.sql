-- incremental: key=campaign_id
with checked as (
    select * from staging.chk_campaigns where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (partition by campaign_id order by ingested_at desc, row_hash desc) as rn
    from checked
),
final as (
    select
        campaign_id,
        name as campaign_name,
        lower(channel) as channel,
        start_date,
        end_date,
        budget as budget_usd,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
