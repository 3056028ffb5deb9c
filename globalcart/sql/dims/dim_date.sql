-- one row per day from the first to the last day seen in the data
-- (the bounds are min/max of indexed columns: PostgreSQL reads them from the indexes)
with recursive bounds as (
    select min(d) as first_day, max(d) as last_day
    from (
        select min(order_date) as d from staging.stg_orders
        union all select max(order_date) from staging.stg_orders
        union all select cast(min(started_at) as date) from staging.stg_sessions
        union all select cast(max(started_at) as date) from staging.stg_sessions
        union all select min(spend_date) from staging.stg_marketing_spend
        union all select max(spend_date) from staging.stg_marketing_spend
        union all select min(snapshot_date) from staging.stg_inventory_snapshots
        union all select max(snapshot_date) from staging.stg_inventory_snapshots
    ) as edges
),
days (date_day) as (
    select first_day from bounds where first_day is not null
    union all
    select cast(days.date_day + 1 as date)
    from days
    cross join bounds
    where days.date_day < bounds.last_day
),
final as (
    select
        cast(
            extract(year from date_day) * 10000
            + extract(month from date_day) * 100
            + extract(day from date_day) as integer
        ) as date_sk,
        date_day,
        cast(extract(year from date_day) as integer) as year,
        cast(extract(quarter from date_day) as integer) as quarter,
        cast(extract(month from date_day) as integer) as month,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(isodow from date_day) as integer) as iso_day_of_week,
        cast(extract(week from date_day) as integer) as iso_week,
        cast(date_trunc('week', date_day) as date) as week_start,
        cast(date_trunc('month', date_day) as date) as month_start,
        cast(extract(isodow from date_day) as integer) in (6, 7) as is_weekend
    from days
)
select * from final
