-- grain: one row per revenue order of a known customer: its number among the customer's revenue
-- orders and the date of the customer's next revenue order. Kept apart from fct_orders so that an
-- incremental build renumbers a customer's orders from this narrow table instead of rewriting
-- every order of every customer it touches.
-- incremental: key=customer_id
-- incremental: restrict=staging.stg_orders:customer_id
-- (only an order header moves these numbers: the customers, old and new, of the headers that arrived)
-- incremental: changed=select customer_id from staging.chk_orders where order_id in (select order_id from delta.orders) and customer_id is not null
select
    order_id,
    customer_id,
    row_number() over (
        partition by customer_id order by order_ts, order_id
    ) as customer_order_number,
    lead(order_date) over (
        partition by customer_id order by order_ts, order_id
    ) as next_order_date
from staging.stg_orders
where is_revenue and customer_id is not null
