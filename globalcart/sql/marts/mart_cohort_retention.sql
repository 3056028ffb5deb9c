-- grain: one row per monthly acquisition cohort (month of the first revenue order) and month
-- number 0-12 with any active customer: customers with a revenue order in that month / cohort
-- size.
with patterns as (
    -- customers counted per cohort and set of active months: the month numbers are then
    -- expanded for those few groups instead of for every customer
    select cohort_month, active_months_mask, count(*) as customers
    from dw.fct_customer_revenue
    group by cohort_month, active_months_mask
),
sizes as (
    select cohort_month, cast(sum(customers) as bigint) as cohort_customers
    from patterns
    group by cohort_month
),
month_numbers as (
    select cast(n as integer) as month_number
    from (values (0), (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12)) as m (n)
),
active as (
    select p.cohort_month, m.month_number, cast(sum(p.customers) as bigint) as active_customers
    from patterns as p
    cross join month_numbers as m
    where (p.active_months_mask >> m.month_number) % 2 = 1
    group by p.cohort_month, m.month_number
)
select
    a.cohort_month,
    a.month_number,
    s.cohort_customers,
    a.active_customers,
    cast(a.active_customers as double precision) / cast(s.cohort_customers as double precision)
        as retention_rate
from active as a
inner join sizes as s on s.cohort_month = a.cohort_month
