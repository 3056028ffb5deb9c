-- Orders touched this build: their own rows (scope.order_rows), or their session, campaign, geo
-- or customer (every order of a changed customer: its customer version or type-1 attributes may
-- differ).
select order_id from scope.order_rows
union
select o.order_id from staging.stg_orders as o
where o.session_id in (select session_id from delta.sessions)
    or o.ship_to_geo_id in (select geo_id from delta.geo)
    or o.session_id in (
        select s.session_id from staging.stg_sessions as s
        where s.campaign_id in (select campaign_id from delta.campaigns)
    )
union
select order_id from staging.stg_orders
where customer_id in (select customer_id from delta.customers)
