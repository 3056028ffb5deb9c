-- incremental: key=geo_id
with checked as (
    select * from staging.chk_geo where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (partition by geo_id order by ingested_at desc, row_hash desc) as rn
    from checked
),
final as (
    select
        geo_id,
        country,
        upper(country_code) as country_code,
        region,
        city,
        upper(currency) as currency,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
