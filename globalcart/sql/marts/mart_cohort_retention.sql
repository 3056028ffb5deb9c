-- grain: one row per monthly acquisition cohort (month of the first revenue order) and month
-- number 0-12: customers with a revenue order in that month / cohort size.
with orders as (
    select customer_id, order_date
    from dw.fct_orders
    where is_revenue and customer_id is not null
),
firsts as (
    select customer_id, cast(date_trunc('month', min(order_date)) as date) as cohort_month
    from orders
    group by customer_id
),
activity as (
    select distinct
        f.customer_id,
        f.cohort_month,
        cast(
            (extract(year from o.order_date) - extract(year from f.cohort_month)) * 12
            + extract(month from o.order_date) - extract(month from f.cohort_month)
            as integer
        ) as month_number
    from orders as o
    inner join firsts as f on f.customer_id = o.customer_id
),
sizes as (
    select cohort_month, count(*) as cohort_customers from firsts group by cohort_month
)
select
    a.cohort_month,
    a.month_number,
    s.cohort_customers,
    count(*) as active_customers,
    cast(count(*) as double precision) / cast(s.cohort_customers as double precision)
        as retention_rate
from activity as a
inner join sizes as s on s.cohort_month = a.cohort_month
where a.month_number between 0 and 12
group by a.cohort_month, a.month_number, s.cohort_customers
