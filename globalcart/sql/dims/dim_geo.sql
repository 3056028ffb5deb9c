-- type 1; geo_sk = geo_id, -1 is the unknown member
with geo as (
    select * from staging.stg_geo
),
final as (
    select geo_id as geo_sk, geo_id, country, country_code, region, city, currency
    from geo
    union all
    select
        -1, cast(null as bigint), 'Unknown', cast(null as varchar), 'Unknown', 'Unknown',
        cast(null as varchar)
)
select * from final
