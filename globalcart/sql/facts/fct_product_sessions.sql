-- grain: one row per session and product the session has events for: whether the product was
-- viewed, added to the cart, and bought (the session's revenue order contains it); the input of
-- the product funnel (a cart session leaks when the product is not bought).
-- incremental: key=session_id
-- incremental: restrict=dw.fct_funnel_events:session_id,dw.fct_orders:session_id
-- incremental: changed=select session_id from scope.sessions union select session_id from staging.chk_orders where order_id in (select order_id from scope.touched_orders)
with product_sessions as (
    select
        session_id,
        product_id,
        max(case when stage = 'VIEW_PRODUCT' then 1 else 0 end) as viewed,
        max(case when stage = 'ADD_TO_CART' then 1 else 0 end) as carted
    from dw.fct_funnel_events
    where product_id is not null and session_id is not null
    group by session_id, product_id
),
purchases as (
    select distinct o.session_id, i.product_id
    from dw.fct_orders as o
    inner join dw.fct_order_items as i on i.order_id = o.order_id
    where o.is_revenue and o.session_id is not null
)
select
    s.session_id,
    s.product_id,
    s.viewed,
    s.carted,
    case when b.session_id is null then 0 else 1 end as purchased
from product_sessions as s
left join purchases as b on b.session_id = s.session_id and b.product_id = s.product_id
-- stored in session order: a merge then touches few pages
order by s.session_id, s.product_id
