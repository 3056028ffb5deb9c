-- latest header per order (a status change is a new row); amounts also in USD at the day's rate.
-- Revenue orders are paid or later and not cancelled.
-- incremental: key=order_id
-- incremental: restrict=staging.chk_orders:order_id
-- incremental: changed=select order_id from scope.touched_orders
-- incremental: index=customer_id,session_id,order_date
with checked as (
    select * from staging.chk_orders where dq_rule is null
),
latest as (
    select
        *,
        row_number() over (
            partition by order_id order by ingested_at desc, updated_at desc, row_hash desc
        ) as rn
    from checked
),
orders as (
    select
        order_id,
        customer_id,
        session_id,
        order_ts,
        cast(order_ts as date) as order_date,
        lower(status) as status,
        lower(channel) as channel,
        upper(currency) as currency,
        gross_amount,
        discount_amount,
        tax_amount,
        shipping_fee,
        net_amount,
        promo_code,
        ship_to_geo_id,
        updated_at,
        row_hash,
        ingested_at
    from latest
    where rn = 1
),
final as (
    select
        o.order_id,
        o.customer_id,
        o.session_id,
        o.order_ts,
        o.order_date,
        o.status,
        o.status in ('paid', 'fulfilled', 'shipped', 'delivered', 'returned') as is_revenue,
        o.channel,
        o.currency,
        o.gross_amount,
        o.discount_amount,
        o.tax_amount,
        o.shipping_fee,
        o.net_amount,
        fx.rate_to_usd,
        cast(round(o.gross_amount * fx.rate_to_usd, 2) as decimal(18, 2)) as gross_amount_usd,
        cast(round(o.discount_amount * fx.rate_to_usd, 2) as decimal(18, 2)) as discount_amount_usd,
        cast(round(o.tax_amount * fx.rate_to_usd, 2) as decimal(18, 2)) as tax_amount_usd,
        cast(round(o.shipping_fee * fx.rate_to_usd, 2) as decimal(18, 2)) as shipping_fee_usd,
        cast(round(o.net_amount * fx.rate_to_usd, 2) as decimal(18, 2)) as net_amount_usd,
        o.promo_code,
        o.ship_to_geo_id,
        o.updated_at,
        o.row_hash,
        o.ingested_at
    from orders as o
    left join staging.stg_fx_rates as fx
        on fx.rate_date = o.order_date and fx.currency = o.currency
)
select * from final
