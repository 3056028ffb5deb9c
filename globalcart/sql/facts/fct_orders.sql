-- grain: one row per order (latest status). Revenue orders: see staging.stg_orders;
-- net revenue = gross - discounts - refunds (ex tax, ex shipping fee), refunds only for returns
-- requested within 30 days of delivery, converted at the order day's FX rate.
-- incremental: key=order_id
-- incremental: restrict=staging.stg_orders:order_id,staging.stg_shipments:order_id,staging.stg_returns:order_id,staging.stg_order_items:order_id,staging.stg_payments:order_id,dw.fct_customer_orders:order_id
-- (besides the touched orders, those whose customer order number or next-order date moved)
-- incremental: changed=select order_id from scope.touched_orders union select order_id from diff.dw.fct_customer_orders
-- incremental: index=order_date,customer_id,session_id
with orders as (
    select * from staging.stg_orders
),
customers as (
    select customer_sk, customer_id, valid_from, valid_to from dw.dim_customer
),
deliveries as (
    select order_id, max(delivered_at) as delivered_at, sum(shipping_cost_usd) as shipping_cost_usd
    from staging.stg_shipments
    group by order_id
),
refunds as (
    select r.order_id, sum(r.refund_amount) as refund_amount
    from staging.stg_returns as r
    inner join deliveries as d on d.order_id = r.order_id
    where r.refund_amount is not null
        and r.requested_at <= d.delivered_at + interval '30 days'
    group by r.order_id
),
items as (
    select order_id, count(*) as line_count, sum(qty) as units
    from staging.stg_order_items
    group by order_id
),
fees as (
    select order_id, sum(gateway_fee_usd) as gateway_fee_usd
    from staging.stg_payments
    where status in ('captured', 'refunded', 'chargeback')
    group by order_id
),
amounts as (
    select
        o.*,
        coalesce(r.refund_amount, 0) as refund_amount,
        cast(round(coalesce(r.refund_amount, 0) * o.rate_to_usd, 2) as decimal(18, 2))
            as refund_amount_usd
    from orders as o
    left join refunds as r on r.order_id = o.order_id
),
final as (
    select
        a.order_id,
        coalesce(c.customer_sk, -1) as customer_sk,
        a.customer_id,
        a.session_id,
        coalesce(a.ship_to_geo_id, -1) as ship_to_geo_sk,
        cast(
            extract(year from a.order_date) * 10000 + extract(month from a.order_date) * 100
            + extract(day from a.order_date) as integer
        ) as order_date_sk,
        a.order_ts,
        a.order_date,
        a.status,
        a.is_revenue,
        a.channel,
        a.promo_code,
        a.currency,
        a.rate_to_usd,
        coalesce(i.line_count, 0) as line_count,
        coalesce(i.units, 0) as units,
        a.gross_amount,
        a.discount_amount,
        a.tax_amount,
        a.shipping_fee,
        a.refund_amount,
        case when a.is_revenue then a.gross_amount - a.discount_amount - a.refund_amount
            else 0 end as net_revenue,
        a.gross_amount_usd,
        a.discount_amount_usd,
        a.tax_amount_usd,
        a.shipping_fee_usd,
        a.refund_amount_usd,
        case when a.is_revenue
            then a.gross_amount_usd - a.discount_amount_usd - a.refund_amount_usd
            else 0 end as net_revenue_usd,
        coalesce(f.gateway_fee_usd, 0) as gateway_fee_usd,
        coalesce(d.shipping_cost_usd, 0) as shipping_cost_usd,
        d.delivered_at,
        n.customer_order_number
    from amounts as a
    left join customers as c
        on c.customer_id = a.customer_id
        and a.order_ts >= c.valid_from
        and a.order_ts < c.valid_to
    left join items as i on i.order_id = a.order_id
    left join fees as f on f.order_id = a.order_id
    left join deliveries as d on d.order_id = a.order_id
    left join dw.fct_customer_orders as n on n.order_id = a.order_id
)
select * from final
-- stored in order_id (and so date) order: a merge or a day's read then touches few pages
order by order_id
