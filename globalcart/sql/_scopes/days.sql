-- Days whose daily aggregates may change this build. Only what the day-grained models add up
-- counts: an order's own rows (scope.order_rows) and its session (campaign attribution), not its
-- customer's or geo's attributes. So: every day such an order was (or is) on and the days of
-- its payment attempts; the day of the earliest untouched revenue
-- order of a customer with a touched order at or before it (that order may become or stop being
-- the customer's first: new customers); the days of new or re-sent sessions and of sessions with
-- new events; new marketing spend.
with counted as (
    select order_id from scope.order_rows
    union
    select o.order_id from staging.stg_orders as o
    where o.session_id in (select session_id from delta.sessions)
),
customers as (
    select customer_id, min(order_ts) as earliest_touched
    from staging.chk_orders
    where order_id in (select order_id from delta.orders) and customer_id is not null
    group by customer_id
),
untouched_first as (
    select o.customer_id, min(o.order_ts) as order_ts, min(o.order_date) as order_date
    from staging.stg_orders as o
    where o.is_revenue
        and o.customer_id in (select customer_id from customers)
        and not exists (select 1 from delta.orders as d where d.order_id = o.order_id)
    group by o.customer_id
)
select cast(c.order_ts as date) as day
from staging.chk_orders as c
where c.order_id in (select order_id from counted) and c.order_ts is not null
union
select u.order_date
from untouched_first as u
inner join customers as c on c.customer_id = u.customer_id
where c.earliest_touched <= u.order_ts
union
select cast(p.created_at as date)
from staging.chk_payments as p
where p.order_id in (select order_id from counted) and p.created_at is not null
union
select cast(s.started_at as date)
from staging.chk_sessions as s
where s.started_at is not null
    and s.session_id in (
        select session_id from delta.sessions
        union
        select session_id from delta.funnel_events
    )
union
select date from delta.marketing_spend
