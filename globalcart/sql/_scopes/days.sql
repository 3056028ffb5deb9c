-- Days whose daily aggregates may change this build: every day a touched order was (or is) on,
-- the later orders of their customers (their order number shifts), the days of their payment
-- attempts, the days of the session scope and new marketing spend.
with customers as (
    select customer_id, min(order_ts) as since
    from staging.chk_orders
    where order_id in (select order_id from scope.touched_orders) and customer_id is not null
    group by customer_id
)
select cast(c.order_ts as date) as day
from staging.chk_orders as c
where c.order_id in (select order_id from scope.touched_orders) and c.order_ts is not null
union
select o.order_date
from staging.stg_orders as o
inner join customers as c on c.customer_id = o.customer_id and o.order_ts >= c.since
union
select cast(p.created_at as date)
from staging.chk_payments as p
where p.order_id in (select order_id from scope.touched_orders) and p.created_at is not null
union
select cast(s.started_at as date)
from staging.chk_sessions as s
where s.session_id in (select session_id from scope.sessions) and s.started_at is not null
union
select date from delta.marketing_spend
