-- The read side's views again (migration 0009 made them first), cheaper to refresh: the
-- countries of a posting are computed once a refresh (a materialized view of their own), the
-- totals need no join with them, refreshes hash their aggregates in memory, and "changed"
-- comes from PostgreSQL's row-change statistics instead of a scan of `last_updated` (which
-- also refreshed for five minutes after every write); skill demand also per occupation.
--
-- Built on what the store holds today: a posting's countries are those its locations name (as
-- the parser wrote them); pay is stated yearly pay (the middle of a range), per currency;
-- every posting counts once (no near-duplicate clusters are stored yet). `country = '*'`
-- and `skill_id = '*'` rows are the totals over all countries / all skills.

DROP FUNCTION refresh_read_views(boolean);
DROP TABLE read_views_refreshed;
DROP MATERIALIZED VIEW skill_demand, skill_pay, skill_postings;
DROP VIEW posting_countries;

-- The countries each posting's locations name, computed once a refresh for the views below
-- (and the dashboard's postings per country).
CREATE MATERIALIZED VIEW posting_countries AS
SELECT DISTINCT p.posting_id, l.value ->> 'country' AS country
FROM postings p, jsonb_array_elements(p.locations) AS l (value)
WHERE l.value ->> 'country' IS NOT NULL;

CREATE UNIQUE INDEX posting_countries_key ON posting_countries (posting_id, country);

-- Postings per skill per week and per month: over all countries and occupations ('*'), per
-- country, and per occupation (as the tagger coded it, migration 0005).
CREATE MATERIALIZED VIEW skill_demand AS
WITH tagged AS (
    SELECT s.skill_id, s.posting_id, p.occupation_code,
           date_trunc('week', p.received_at AT TIME ZONE 'UTC')::date AS week,
           date_trunc('month', p.received_at AT TIME ZONE 'UTC')::date AS month
    FROM posting_skills s JOIN postings p USING (posting_id)
)
SELECT CASE WHEN GROUPING(week) = 0 THEN 'week' ELSE 'month' END AS grain,
       coalesce(week, month) AS period, skill_id, '*' AS country,
       CASE WHEN GROUPING(occupation_code) = 1 THEN '*' ELSE occupation_code END AS occupation,
       count(*)::int AS postings
FROM tagged
GROUP BY GROUPING SETS ((week, skill_id), (month, skill_id),
                        (week, skill_id, occupation_code), (month, skill_id, occupation_code))
HAVING GROUPING(occupation_code) = 1 OR occupation_code IS NOT NULL
UNION ALL
SELECT CASE WHEN GROUPING(week) = 0 THEN 'week' ELSE 'month' END,
       coalesce(week, month), skill_id, country, '*', count(*)::int
FROM tagged JOIN posting_countries USING (posting_id)
GROUP BY GROUPING SETS ((week, skill_id, country), (month, skill_id, country));

CREATE UNIQUE INDEX skill_demand_key ON skill_demand (grain, country, occupation, skill_id, period);

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

-- When the views were last refreshed, and the count of row changes they include.
CREATE TABLE read_views_refreshed (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    refreshed_at timestamptz NOT NULL,
    changes      bigint NOT NULL
);

-- Rows inserted, updated and deleted in the tables the views read, as PostgreSQL's statistics
-- count them: a change is counted once its transaction committed, so a count read before a
-- refresh covers only changes the refresh sees, and one counted later triggers the next.
CREATE FUNCTION read_views_source_changes() RETURNS bigint
    LANGUAGE sql STABLE
    RETURN (SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::bigint
            FROM pg_stat_user_tables
            WHERE relid IN ('postings'::regclass, 'posting_skills'::regclass,
                            'skills'::regclass));

-- Refresh every view when the tables changed since the last refresh (or `force`); true when
-- it did. SECURITY DEFINER: only a view's owner may refresh it, and the store calls this as
-- the service role. One caller at a time (an advisory lock); the others return at once.
CREATE FUNCTION refresh_read_views(force boolean DEFAULT false) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
    -- room to hash a refresh's aggregates in memory rather than sort them on disk
    SET work_mem = '128MB'
AS $$
DECLARE
    current bigint := read_views_source_changes();
    previous bigint;
BEGIN
    IF NOT pg_try_advisory_xact_lock(1785684327) THEN  -- 0x6A6F6267, "jobg"
        RETURN false;
    END IF;
    SELECT changes INTO previous FROM read_views_refreshed;
    IF NOT force AND previous IS NOT DISTINCT FROM current THEN
        RETURN false;
    END IF;
    REFRESH MATERIALIZED VIEW CONCURRENTLY posting_countries;
    REFRESH MATERIALIZED VIEW CONCURRENTLY skill_demand;
    REFRESH MATERIALIZED VIEW CONCURRENTLY skill_pay;
    REFRESH MATERIALIZED VIEW CONCURRENTLY skill_postings;
    INSERT INTO read_views_refreshed (refreshed_at, changes) VALUES (now(), current)
    ON CONFLICT (singleton) DO UPDATE
        SET refreshed_at = EXCLUDED.refreshed_at, changes = EXCLUDED.changes;
    RETURN true;
END
$$;
