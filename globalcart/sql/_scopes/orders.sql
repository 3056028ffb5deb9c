-- Orders whose rows in the order-grained models may change this build: the touched orders and
-- every order of their customers (customer-level windows: order number, next order date).
with customers as (
    select customer_id from staging.chk_orders
    where order_id in (select order_id from scope.touched_orders) and customer_id is not null
)
select order_id from scope.touched_orders
union
select order_id from staging.stg_orders
where customer_id in (select customer_id from customers)
