-- grain: one row per customer with a revenue order: RFM as of the last revenue order day in the
-- warehouse, with the same rules as globalcart.analytics.rfm (score = 1 + floor(5 (rank - 1) / n)
-- on the "min" rank, worst first; fm = round-half-up((F + M) / 2); segment grid by R and FM),
-- and churn (no revenue order in the 90 days before that day). The churn model's score and the
-- probabilistic CLV come from the last run of `globalcart analytics churn` / `clv` (null before).
with stats as (
    select customer_id, first_order_date, last_order_date, frequency, monetary_usd
    from dw.fct_customer_revenue
),
as_of as (
    select max(last_order_date) as as_of_date from stats
),
measured as (
    select
        s.*,
        a.as_of_date,
        a.as_of_date - s.last_order_date as recency_days,
        count(*) over () as customers
    from stats as s
    cross join as_of as a
),
ranked as (
    select
        *,
        rank() over (order by recency_days desc) as r_rank,
        rank() over (order by frequency) as f_rank,
        rank() over (order by monetary_usd) as m_rank
    from measured
),
scored as (
    select
        *,
        cast(1 + floor(cast(5 * (r_rank - 1) as double precision)
            / cast(customers as double precision)) as integer) as r_score,
        cast(1 + floor(cast(5 * (f_rank - 1) as double precision)
            / cast(customers as double precision)) as integer) as f_score,
        cast(1 + floor(cast(5 * (m_rank - 1) as double precision)
            / cast(customers as double precision)) as integer) as m_score
    from ranked
),
segmented as (
    select
        *,
        cast(floor(cast(f_score + m_score + 1 as double precision) / 2) as integer) as fm_score
    from scored
),
final as (
    select
        s.customer_id,
        coalesce(c.segment, 'Unknown') as customer_segment,
        coalesce(g.country, 'Unknown') as country,
        coalesce(c.acquisition_channel, 'unknown') as acquisition_channel,
        s.first_order_date,
        s.last_order_date,
        s.as_of_date,
        cast(c.created_at as date) as signup_date,
        s.first_order_date - cast(c.created_at as date) as days_to_first_order,
        s.recency_days,
        s.frequency,
        s.monetary_usd,
        s.r_score,
        s.f_score,
        s.m_score,
        s.fm_score,
        cast(s.r_score as varchar) || cast(s.f_score as varchar) || cast(s.m_score as varchar)
            as rfm_cell,
        case
            when s.r_score = 1 and s.fm_score <= 2 then 'Lost'
            when s.r_score = 2 and s.fm_score <= 2 then 'Hibernating'
            when s.r_score <= 2 and s.fm_score <= 4 then 'At Risk'
            when s.r_score <= 2 then 'Can''t Lose Them'
            when s.r_score = 3 and s.fm_score <= 2 then 'About To Sleep'
            when s.r_score = 3 and s.fm_score = 3 then 'Need Attention'
            when s.r_score = 3 then 'Loyal'
            when s.r_score = 4 and s.fm_score = 1 then 'Promising'
            when s.r_score = 4 and s.fm_score <= 3 then 'Potential Loyalist'
            when s.r_score = 4 then 'Loyal'
            when s.fm_score = 1 then 'New Customers'
            when s.fm_score <= 3 then 'Potential Loyalist'
            else 'Champions'
        end as rfm_segment,
        s.frequency > 1 as is_repeat,
        s.recency_days > 90 as is_churned,
        cs.churn_score,
        cv.p_alive,
        cv.clv as predicted_clv_usd
    from segmented as s
    left join dw.dim_customer as c on c.customer_id = s.customer_id and c.is_current
    left join dw.dim_geo as g on g.geo_sk = c.geo_sk
    left join marts.analytics_churn_scores as cs on cs.customer_id = s.customer_id
    left join marts.analytics_clv as cv on cv.customer_id = s.customer_id
)
select * from final
