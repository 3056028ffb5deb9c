-- incremental: key=order_id
-- incremental: restrict=staging.chk_payments:order_id
-- incremental: changed=select order_id from scope.touched_orders
with checked as (
    select * from staging.chk_payments where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (
            partition by payment_id order by ingested_at desc, updated_at desc, row_hash desc
        ) as rn
    from checked
),
payments as (
    select
        payment_id,
        order_id,
        attempt_no,
        lower(method) as method,
        lower(provider) as provider,
        lower(status) as status,
        amount,
        upper(currency) as currency,
        gateway_fee,
        failure_reason,
        created_at,
        captured_at,
        updated_at,
        row_hash,
        ingested_at
    from latest
    where rn = 1
),
final as (
    select
        p.payment_id,
        p.order_id,
        p.attempt_no,
        p.method,
        p.provider,
        p.status,
        p.amount,
        p.currency,
        p.gateway_fee,
        cast(round(p.amount * fx.rate_to_usd, 2) as decimal(18, 2)) as amount_usd,
        cast(round(p.gateway_fee * fx.rate_to_usd, 2) as decimal(18, 2)) as gateway_fee_usd,
        p.failure_reason,
        p.created_at,
        p.captured_at,
        p.updated_at,
        p.row_hash,
        p.ingested_at
    from payments as p
    left join staging.stg_fx_rates as fx
        on fx.rate_date = cast(p.created_at as date) and fx.currency = p.currency
)
select * from final
