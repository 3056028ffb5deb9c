-- SCD-2 on segment and geo: customer_sk = customer_id * 1000 + version_no (stable across builds).
-- Customers referenced by orders or sessions but not (yet) delivered get an inferred member
-- (version 1) that the real row completes when it arrives. -1 is the unknown/anonymous member.
-- incremental: key=customer_id
-- incremental: restrict=staging.chk_customers:customer_id,staging.stg_customers:customer_id,staging.stg_orders:customer_id,staging.stg_sessions:customer_id
-- (orders and sessions only make inferred members: a customer already delivered changes only
-- with its own rows; the customers, old and new, of the orders and sessions that arrived)
-- incremental: changed=select customer_id from delta.customers union select r.customer_id from (select customer_id from delta.orders union select customer_id from delta.sessions union select o.customer_id from staging.stg_orders as o where o.order_id in (select order_id from delta.orders) union select s.customer_id from staging.stg_sessions as s where s.session_id in (select session_id from delta.sessions)) as r where r.customer_id is not null and not exists (select 1 from dw.dim_customer as d where d.customer_id = r.customer_id and not d.is_inferred)
with history as (
    select
        customer_id, segment, geo_id, updated_at,
        row_number() over (
            partition by customer_id, updated_at order by ingested_at desc, row_hash desc
        ) as rn
    from staging.chk_customers
    where dq_rule is null
),
changes as (
    select
        customer_id, segment, geo_id, updated_at,
        lag(segment) over (partition by customer_id order by updated_at) as prev_segment,
        lag(geo_id) over (partition by customer_id order by updated_at) as prev_geo_id,
        row_number() over (partition by customer_id order by updated_at) as seq
    from history
    where rn = 1
),
versions as (
    select
        customer_id, segment, geo_id,
        row_number() over (partition by customer_id order by updated_at) as version_no,
        updated_at
    from changes
    where seq = 1 or segment is distinct from prev_segment or geo_id is distinct from prev_geo_id
),
bounded as (
    select
        customer_id, segment, geo_id, version_no,
        case when version_no = 1 then cast('1900-01-01 00:00:00' as timestamp)
            else updated_at end as valid_from
    from versions
),
referenced as (
    select customer_id from staging.stg_orders where customer_id is not null
    union
    select customer_id from staging.stg_sessions where customer_id is not null
),
inferred as (
    select r.customer_id
    from referenced as r
    where not exists (select 1 from bounded as b where b.customer_id = r.customer_id)
),
members as (
    select customer_id, segment, geo_id, version_no, valid_from, false as is_inferred
    from bounded
    union all
    select
        customer_id, cast(null as varchar), cast(null as bigint), 1,
        cast('1900-01-01 00:00:00' as timestamp), true
    from inferred
),
final as (
    select
        m.customer_id * 1000 + m.version_no as customer_sk,
        m.customer_id,
        m.version_no,
        coalesce(m.segment, 'Unknown') as segment,
        coalesce(m.geo_id, -1) as geo_sk,
        c.email,
        c.full_name,
        coalesce(c.acquisition_channel, 'unknown') as acquisition_channel,
        c.created_at,
        m.valid_from,
        coalesce(
            lead(m.valid_from) over (partition by m.customer_id order by m.version_no),
            cast('9999-12-31 00:00:00' as timestamp)
        ) as valid_to,
        lead(m.valid_from) over (partition by m.customer_id order by m.version_no) is null
            as is_current,
        m.is_inferred
    from members as m
    left join staging.stg_customers as c on c.customer_id = m.customer_id
    union all
    select
        -1, cast(null as bigint), 0, 'Unknown', -1, cast(null as varchar), cast(null as varchar),
        'unknown', cast(null as timestamp), cast('1900-01-01 00:00:00' as timestamp),
        cast('9999-12-31 00:00:00' as timestamp), true, true
)
select * from final
