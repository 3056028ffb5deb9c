-- Sessions whose rows may change this build: new or re-sent sessions, sessions with new events,
-- and sessions of changed customers, campaigns or geo.
select session_id from delta.sessions
union
select session_id from delta.funnel_events
union
select s.session_id from staging.stg_sessions as s
where s.customer_id in (select customer_id from delta.customers)
    or s.campaign_id in (select campaign_id from delta.campaigns)
    or s.geo_id in (select geo_id from delta.geo)
