-- Products whose dimension rows change this build, and from when their facts are affected: a
-- new price/cost version from its updated_at; a first version (valid from 1900) or a change of
-- the type-1 attributes of the current version affects every fact of the product.
with arrived as (
    select c.*
    from staging.chk_products as c
    where c.dq_rule is null
        and exists (
            select 1 from delta.products as d
            where d.product_id = c.product_id and d.updated_at = c.updated_at
        )
        and not exists (  -- a re-sent row changes nothing
            select 1 from staging.stg_products as s
            where s.product_id = c.product_id and s.updated_at = c.updated_at
                and s.row_hash = c.row_hash
        )
),
known as (
    select s.*
    from staging.stg_products as s
    where s.product_id in (select product_id from arrived)
),
current_rows as (
    select k.*
    from known as k
    where not exists (
        select 1 from known as later
        where later.product_id = k.product_id and later.updated_at > k.updated_at
    )
)
select
    a.product_id,
    min(
        case
            when not exists (
                select 1 from known as k
                where k.product_id = a.product_id and k.updated_at < a.updated_at
            ) then cast('1900-01-01 00:00:00' as timestamp)
            when cur.updated_at <= a.updated_at and (
                a.sku is distinct from cur.sku
                or a.product_name is distinct from cur.product_name
                or a.category_l1 is distinct from cur.category_l1
                or a.category_l2 is distinct from cur.category_l2
                or a.brand is distinct from cur.brand
                or a.is_active is distinct from cur.is_active
            ) then cast('1900-01-01 00:00:00' as timestamp)
            else a.updated_at
        end
    ) as changed_from
from arrived as a
left join current_rows as cur on cur.product_id = a.product_id
group by a.product_id
