-- Orders whose rows in the order-grained models may change this build: the touched orders and,
-- for each of their customers, the orders whose number among the customer's revenue orders or
-- whose next revenue order may shift: those from the customer's earliest touched order on, and
-- the customer's last revenue order before it. stg_orders still holds the previous build here.
with touched as (
    select customer_id, order_ts from staging.chk_orders
    where order_id in (select order_id from scope.touched_orders)
    union all
    select customer_id, order_ts from staging.stg_orders
    where order_id in (select order_id from scope.touched_orders)
),
customers as (
    select customer_id, min(order_ts) as since
    from touched
    where customer_id is not null
    group by customer_id
),
previous as (
    select c.customer_id, coalesce(max(o.order_ts), c.since) as since
    from customers as c
    left join staging.stg_orders as o
        on o.customer_id = c.customer_id and o.order_ts < c.since and o.is_revenue
    group by c.customer_id, c.since
)
select order_id from scope.touched_orders
union
select o.order_id
from staging.stg_orders as o
inner join previous as p on p.customer_id = o.customer_id and o.order_ts >= p.since
