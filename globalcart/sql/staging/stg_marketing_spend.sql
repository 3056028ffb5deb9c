-- incremental: key=spend_date=date,campaign_id
with checked as (
    select * from staging.chk_marketing_spend where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (
            partition by date, campaign_id order by ingested_at desc, row_hash desc
        ) as rn
    from checked
),
final as (
    select
        date as spend_date,
        campaign_id,
        spend as spend_usd,
        impressions,
        clicks,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
