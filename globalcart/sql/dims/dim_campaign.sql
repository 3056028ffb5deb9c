-- type 1; campaign_sk = campaign_id, -1 is the unknown member (no campaign)
with campaigns as (
    select * from staging.stg_campaigns
),
final as (
    select
        campaign_id as campaign_sk,
        campaign_id,
        campaign_name,
        channel,
        start_date,
        end_date,
        budget_usd
    from campaigns
    union all
    select
        -1, cast(null as bigint), 'No campaign', 'none', cast(null as date),
        cast(null as date), cast(null as decimal(18, 2))
)
select * from final
