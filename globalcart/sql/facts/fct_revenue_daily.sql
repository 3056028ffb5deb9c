-- grain: one row per order date (revenue orders only; refunds attributed to the order date)
-- incremental: key=order_date
-- incremental: restrict=dw.fct_orders:order_date
-- (it reads only dw.fct_orders: the days, old and new, of the order rows that changed)
-- incremental: changed=select order_date from diff.dw.fct_orders
with orders as (
    select * from dw.fct_orders where is_revenue
),
final as (
    select
        order_date,
        order_date_sk,
        count(*) as orders,
        sum(units) as units,
        count(distinct customer_id) as customers,
        sum(gross_amount_usd) as gross_amount_usd,
        sum(discount_amount_usd) as discount_amount_usd,
        sum(tax_amount_usd) as tax_amount_usd,
        sum(shipping_fee_usd) as shipping_fee_usd,
        sum(refund_amount_usd) as refund_amount_usd,
        sum(net_revenue_usd) as net_revenue_usd
    from orders
    group by order_date, order_date_sk
)
select * from final
