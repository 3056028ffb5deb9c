-- incremental: key=fc_id
with checked as (
    select * from staging.chk_fulfillment_centers where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (partition by fc_id order by ingested_at desc, row_hash desc) as rn
    from checked
),
final as (
    select fc_id, fc_name, geo_id, timezone, row_hash, ingested_at
    from latest
    where rn = 1
)
select * from final
