-- incremental: key=return_id
-- refund_amount in the order currency (USD in dw.fct_returns)
with checked as (
    select * from staging.chk_returns where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (partition by return_id order by ingested_at desc, row_hash desc) as rn
    from checked
),
final as (
    select
        return_id,
        order_id,
        line_no,
        product_id,
        qty,
        lower(reason) as reason,
        requested_at,
        received_at,
        refund_amount,
        refunded_at,
        lower(status) as status,
        restocked,
        row_hash,
        ingested_at
    from latest
    where rn = 1
)
select * from final
