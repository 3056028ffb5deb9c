-- grain: one row per day and campaign (USD)
with spend as (
    select * from staging.stg_marketing_spend
),
campaigns as (
    select campaign_id, channel from staging.stg_campaigns
),
final as (
    select
        s.spend_date,
        s.campaign_id,
        coalesce(c.campaign_id, -1) as campaign_sk,
        coalesce(c.channel, 'unknown') as channel,
        s.spend_usd,
        s.impressions,
        s.clicks
    from spend as s
    left join campaigns as c on c.campaign_id = s.campaign_id
)
select * from final
