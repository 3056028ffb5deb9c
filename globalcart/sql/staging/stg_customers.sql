-- incremental: key=customer_id
-- latest row per customer; the full history (SCD-2) is read by dw.dim_customer
with checked as (
    select * from staging.chk_customers where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (
            partition by customer_id order by ingested_at desc, updated_at desc, row_hash desc
        ) as rn
    from checked
),
final as (
    select
        customer_id,
        lower(email) as email,
        full_name,
        geo_id,
        lower(acquisition_channel) as acquisition_channel,
        segment,
        created_at,
        updated_at,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
