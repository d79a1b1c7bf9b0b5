-- Skill demand and pay, summed ahead for the stats endpoints and the labour-market dashboard
-- (issue 18). Materialized views, refreshed by refresh_read_views() (the store calls it every
-- JOBSTREAM_STORE_VIEWS_REFRESH_SECONDS when postings changed): REFRESH ... CONCURRENTLY only
-- reads the tables, so writers never wait, and readers keep reading the old rows meanwhile.
--
-- Built on what the store holds today: a posting's countries are those its locations name (as
-- the parser wrote them); pay is stated yearly pay (the middle of a range), per currency;
-- every posting counts once (no near-duplicate clusters are stored yet). `country = '*'`
-- and `skill_id = '*'` rows are the totals over all countries / all skills.

CREATE VIEW posting_countries AS
SELECT DISTINCT p.posting_id, l.value ->> 'country' AS country
FROM postings p, jsonb_array_elements(p.locations) AS l (value)
WHERE l.value ->> 'country' IS NOT NULL;

-- Postings per skill per week and per month, over all countries and per country.
CREATE MATERIALIZED VIEW skill_demand AS
WITH tagged AS (
    SELECT s.skill_id, p.posting_id, c.country,
           date_trunc('week', p.received_at AT TIME ZONE 'UTC')::date AS week,
           date_trunc('month', p.received_at AT TIME ZONE 'UTC')::date AS month
    FROM posting_skills s
    JOIN postings p USING (posting_id)
    LEFT JOIN posting_countries c USING (posting_id)
), buckets AS (
    SELECT skill_id, posting_id, country, 'week' AS grain, week AS period FROM tagged
    UNION ALL
    SELECT skill_id, posting_id, country, 'month', month FROM tagged
)
SELECT grain, period, skill_id, '*' AS country, count(DISTINCT posting_id)::int AS postings
FROM buckets GROUP BY grain, period, skill_id
UNION ALL
SELECT grain, period, skill_id, country, count(DISTINCT posting_id)::int
FROM buckets WHERE country IS NOT NULL GROUP BY grain, period, skill_id, country;

CREATE UNIQUE INDEX skill_demand_key ON skill_demand (grain, country, skill_id, period);

-- Stated yearly pay: p25 / p50 / p75 and counts per currency, by skill and by country.
CREATE MATERIALIZED VIEW skill_pay AS
WITH paid AS (
    SELECT posting_id, salary_currency AS currency,
           (coalesce(salary_min, salary_max) + coalesce(salary_max, salary_min)) / 2 AS annual
    FROM postings
    WHERE salary_period = 'year' AND salary_currency IS NOT NULL
      AND coalesce(salary_min, salary_max) IS NOT NULL
), combined AS (
    SELECT '*' AS skill_id, '*' AS country, currency, annual FROM paid
    UNION ALL
    SELECT s.skill_id, '*', currency, annual FROM paid JOIN posting_skills s USING (posting_id)
    UNION ALL
    SELECT '*', c.country, currency, annual FROM paid JOIN posting_countries c USING (posting_id)
    UNION ALL
    SELECT s.skill_id, c.country, currency, annual
    FROM paid JOIN posting_skills s USING (posting_id) JOIN posting_countries c USING (posting_id)
)
SELECT skill_id, country, currency, count(*)::int AS postings,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY annual) AS p25,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY annual) AS p50,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY annual) AS p75
FROM combined
GROUP BY skill_id, country, currency;

CREATE UNIQUE INDEX skill_pay_key ON skill_pay (skill_id, country, currency);

-- Postings per skill (GET /skills sorts the taxonomy look-up by it).
CREATE MATERIALIZED VIEW skill_postings AS
SELECT skill_id, count(*)::int AS postings, (count(*) FILTER (WHERE required))::int AS required
FROM posting_skills GROUP BY skill_id;

CREATE UNIQUE INDEX skill_postings_key ON skill_postings (skill_id);

-- When the views were last refreshed (the start of that refresh's transaction).
CREATE TABLE read_views_refreshed (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    refreshed_at timestamptz NOT NULL
);

-- Refresh every view when postings may have changed since the last refresh (or `force`);
-- true when it did. A store transaction stamps `last_updated` when it begins and may commit
-- after a refresh began, so "changed" looks five minutes back: after writes stop, the views
-- are refreshed for five more minutes, then left alone. SECURITY DEFINER: only a view's owner
-- may refresh it, and the store calls this as the service role. One caller at a time (an
-- advisory lock); the others return at once.
CREATE FUNCTION refresh_read_views(force boolean DEFAULT false) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    previous timestamptz;
BEGIN
    IF NOT pg_try_advisory_xact_lock(1785684327) THEN  -- 0x6A6F6267, "jobg"
        RETURN false;
    END IF;
    SELECT refreshed_at INTO previous FROM read_views_refreshed;
    IF NOT force AND FOUND AND NOT EXISTS (
        SELECT 1 FROM postings WHERE last_updated > previous - interval '5 minutes'
    ) THEN
        RETURN false;
    END IF;
    REFRESH MATERIALIZED VIEW CONCURRENTLY skill_demand;
    REFRESH MATERIALIZED VIEW CONCURRENTLY skill_pay;
    REFRESH MATERIALIZED VIEW CONCURRENTLY skill_postings;
    INSERT INTO read_views_refreshed (refreshed_at) VALUES (now())
    ON CONFLICT (singleton) DO UPDATE SET refreshed_at = EXCLUDED.refreshed_at;
    RETURN true;
END
$$;
