-- Orders touched this build: by a landing delta directly or through a line, payment, shipment,
-- return, FX day, product version, session, campaign or geo, and every order of a changed
-- customer (its customer version or type-1 attributes may differ).
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
select o.order_id from staging.stg_orders as o
where o.session_id in (select session_id from delta.sessions)
    or o.ship_to_geo_id in (select geo_id from delta.geo)
    or o.session_id in (
        select s.session_id from staging.stg_sessions as s
        where s.campaign_id in (select campaign_id from delta.campaigns)
    )
union
select i.order_id
from staging.stg_order_items as i
inner join staging.stg_orders as o on o.order_id = i.order_id
inner join scope.product_changes as p on p.product_id = i.product_id
where o.order_ts >= p.changed_from
union
select order_id from staging.stg_orders
where customer_id in (select customer_id from delta.customers)
