with checked as (
    select * from staging.chk_fx_rates where dq_rule is null
),
latest as (
    select
        date as rate_date,
        upper(currency) as currency,
        rate_to_usd,
        row_hash,
        ingested_at,
        row_number() over (
            partition by date, upper(currency) order by ingested_at desc, row_hash desc
        ) as rn
    from checked
),
usd as (
    -- the base currency converts at 1 on every day that has rates
    select distinct rate_date, 'USD' as currency, cast(1 as decimal(20, 10)) as rate_to_usd
    from latest
    where not exists (
        select 1 from latest as l2 where l2.rate_date = latest.rate_date and l2.currency = 'USD'
    )
),
final as (
    select rate_date, currency, rate_to_usd, row_hash from latest where rn = 1
    union all
    select rate_date, currency, rate_to_usd, cast(null as uuid) as row_hash from usd
)
select * from final
