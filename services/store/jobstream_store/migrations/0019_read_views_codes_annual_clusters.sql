-- The read side's views on what parser 0.3.0 stores (migration 0004): countries are ISO
-- 3166-1 alpha-2 codes (`postings.countries`, offices and remote scope alike), pay is pay for a
-- year whatever period the posting stated (`salary_annual_min/max`), and postings of one
-- near-duplicate cluster (the same job on several boards, or posted again) count once:
-- count(DISTINCT coalesce(cluster_id, posting_id)), NULL cluster_id being a posting stored
-- before 0004 that no replay has parsed again. What 0018 made cheap stays: totals without a
-- join on countries, aggregates in memory, refreshes when the row-change statistics moved.

DROP FUNCTION refresh_read_views(boolean);
DROP MATERIALIZED VIEW skill_demand, skill_pay, posting_countries;

-- The countries of each posting (codes), for the dashboard's postings per country.
CREATE MATERIALIZED VIEW posting_countries AS
SELECT DISTINCT p.posting_id, c.country
FROM postings p, unnest(p.countries) AS c (country);

CREATE UNIQUE INDEX posting_countries_key ON posting_countries (posting_id, country);

-- Jobs (clusters) per skill per week and per month: over all countries and occupations ('*'),
-- per occupation (as the tagger coded it), and per country code. A job is counted once in a
-- period however many of its postings fall in it. count(DISTINCT) over every skill row of
-- every period sorts millions of rows (250 s instead of 45 s over 200,000 postings), so it
-- is kept for the jobs posted more than once; every other row is a job of its own and is
-- counted in one hashed pass, as 0018 did.
CREATE MATERIALIZED VIEW skill_demand AS
WITH repeated AS (
    SELECT cluster_id FROM postings WHERE cluster_id IS NOT NULL
    GROUP BY cluster_id HAVING count(*) > 1
), tagged AS MATERIALIZED (
    SELECT s.skill_id, coalesce(p.cluster_id, p.posting_id) AS job, p.occupation_code,
           p.countries,
           date_trunc('week', p.received_at AT TIME ZONE 'UTC')::date AS week,
           date_trunc('month', p.received_at AT TIME ZONE 'UTC')::date AS month,
           coalesce(p.cluster_id IN (SELECT cluster_id FROM repeated), false) AS repeated
    FROM posting_skills s JOIN postings p USING (posting_id)
), counted AS (
    SELECT CASE WHEN GROUPING(week) = 0 THEN 'week' ELSE 'month' END AS grain,
           coalesce(week, month) AS period, skill_id, '*' AS country,
           CASE WHEN GROUPING(occupation_code) = 1 THEN '*' ELSE occupation_code END
               AS occupation,
           count(*) AS postings
    FROM tagged
    WHERE NOT repeated
    GROUP BY GROUPING SETS ((week, skill_id), (month, skill_id),
                            (week, skill_id, occupation_code), (month, skill_id, occupation_code))
    HAVING GROUPING(occupation_code) = 1 OR occupation_code IS NOT NULL
    UNION ALL
    SELECT CASE WHEN GROUPING(week) = 0 THEN 'week' ELSE 'month' END,
           coalesce(week, month), skill_id, c.country, '*', count(*)
    FROM tagged, unnest(countries) AS c (country)
    WHERE NOT repeated
    GROUP BY GROUPING SETS ((week, skill_id, c.country), (month, skill_id, c.country))
    UNION ALL
    SELECT d.grain, d.period, d.skill_id, d.country, d.occupation, count(DISTINCT d.job)
    FROM tagged t
    CROSS JOIN LATERAL (
        VALUES ('week', t.week), ('month', t.month)
    ) AS g (grain, period)
    CROSS JOIN LATERAL (
        SELECT g.grain, g.period, t.skill_id, '*' AS country, '*' AS occupation, t.job
        UNION ALL
        SELECT g.grain, g.period, t.skill_id, '*', t.occupation_code, t.job
        WHERE t.occupation_code IS NOT NULL
        UNION ALL
        SELECT g.grain, g.period, t.skill_id, c.country, '*', t.job
        FROM unnest(t.countries) AS c (country)
    ) AS d
    WHERE t.repeated
    GROUP BY d.grain, d.period, d.skill_id, d.country, d.occupation
)
SELECT grain, period, skill_id, country, occupation, sum(postings)::int AS postings
FROM counted
GROUP BY grain, period, skill_id, country, occupation;

CREATE UNIQUE INDEX skill_demand_key ON skill_demand (grain, country, occupation, skill_id, period);

-- Pay for a year (the middle of a range): p25 / p50 / p75 and counts per currency, by skill
-- and by country code ('*': all). A job counts once: its first posting stands for it.
CREATE MATERIALIZED VIEW skill_pay AS
WITH paid AS (
    SELECT DISTINCT ON (coalesce(cluster_id, posting_id))
           posting_id, countries, salary_currency AS currency,
           -- a double: percentile_cont reads one, and sorts doubles faster than numerics
           (coalesce(salary_annual_min, salary_annual_max)
            + coalesce(salary_annual_max, salary_annual_min))::float8 / 2 AS annual
    FROM postings
    WHERE salary_currency IS NOT NULL
      AND coalesce(salary_annual_min, salary_annual_max) IS NOT NULL
    ORDER BY coalesce(cluster_id, posting_id), received_at, posting_id
), combined AS (
    SELECT '*' AS skill_id, '*' AS country, currency, annual FROM paid
    UNION ALL
    SELECT s.skill_id, '*', currency, annual FROM paid JOIN posting_skills s USING (posting_id)
    UNION ALL
    SELECT '*', c.country, currency, annual FROM paid, unnest(paid.countries) AS c (country)
    UNION ALL
    SELECT s.skill_id, c.country, currency, annual
    FROM paid JOIN posting_skills s USING (posting_id), unnest(paid.countries) AS c (country)
)
SELECT skill_id, country, currency, count(*)::int AS postings,
       percentile_cont(0.25) WITHIN GROUP (ORDER BY annual) AS p25,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY annual) AS p50,
       percentile_cont(0.75) WITHIN GROUP (ORDER BY annual) AS p75
FROM combined
GROUP BY skill_id, country, currency;

CREATE UNIQUE INDEX skill_pay_key ON skill_pay (skill_id, country, currency);

-- As in 0018, with the views above.
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
