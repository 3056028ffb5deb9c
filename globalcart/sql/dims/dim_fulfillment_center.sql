-- type 1; fc_sk = fc_id, -1 is the unknown member
with centers as (
    select * from staging.stg_fulfillment_centers
),
final as (
    select
        c.fc_id as fc_sk,
        c.fc_id,
        c.fc_name,
        coalesce(c.geo_id, -1) as geo_sk,
        c.timezone,
        g.country,
        g.city
    from centers as c
    left join staging.stg_geo as g on g.geo_id = c.geo_id
    union all
    select
        -1, cast(null as bigint), 'Unknown', -1, cast(null as varchar), cast(null as varchar),
        cast(null as varchar)
)
select * from final
