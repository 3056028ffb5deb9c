-- Orders whose own rows arrived this build: header, lines, payments, shipments, returns, the FX
-- rate of their day or of a payment's day, or a product version in force from their time on.
select order_id from delta.orders
union
select order_id from delta.order_items
union
select order_id from delta.payments
union
select order_id from delta.shipments
union
select order_id from delta.returns
union
select o.order_id from staging.stg_orders as o
where exists (
    select 1 from delta.fx_rates as f
    where f.date = o.order_date and f.currency = o.currency
)
union
select p.order_id from staging.stg_payments as p
where exists (
    select 1 from delta.fx_rates as f
    where f.date = cast(p.created_at as date) and f.currency = p.currency
)
union
select i.order_id
from staging.stg_order_items as i
inner join staging.stg_orders as o on o.order_id = i.order_id
inner join scope.product_changes as p on p.product_id = i.product_id
where o.order_ts >= p.changed_from
