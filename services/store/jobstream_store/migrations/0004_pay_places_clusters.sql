-- Parser 0.3.0 (issue 16): pay for a year, coded places, near-duplicate clusters; and "not
-- stated" is NULL everywhere (events of earlier parsers said work_mode "unknown").

UPDATE postings SET work_mode = NULL WHERE work_mode = 'unknown';

ALTER TABLE postings
    -- The pay as stated, for a year of work, in salary_currency (parser: money.py).
    ADD COLUMN salary_annual_min numeric(14, 2),
    ADD COLUMN salary_annual_max numeric(14, 2),
    -- ISO 3166-1 alpha-2 codes of every place the posting names (offices, and where remote
    -- work may be done from), and the ISO 3166-2 codes of their subdivisions where known.
    ADD COLUMN countries text[] NOT NULL DEFAULT '{}',
    ADD COLUMN subdivisions text[] NOT NULL DEFAULT '{}',
    -- Where remote work may be done from: country codes and areas ("emea", "worldwide").
    ADD COLUMN remote_scope text[] NOT NULL DEFAULT '{}',
    -- The parser's MinHash signature of the text and its LSH band keys (clusters.py).
    ADD COLUMN signature integer[],
    ADD COLUMN signature_bands bigint[] NOT NULL DEFAULT '{}',
    -- Postings that are the same job (near-identical text, compatible titles) share it: the
    -- id of the cluster's first posting. NULL for postings stored before this migration until
    -- a replay of the raw topic parses them again (count coalesce(cluster_id, posting_id)).
    ADD COLUMN cluster_id text;

-- ?country=DE: countries @> ARRAY['DE'] (or && for any of several).
CREATE INDEX postings_by_country ON postings USING gin (countries);
CREATE INDEX postings_by_subdivision ON postings USING gin (subdivisions);
-- The store finds a new posting's near-duplicates by its band keys.
CREATE INDEX postings_by_signature_band ON postings USING gin (signature_bands);
CREATE INDEX postings_by_cluster ON postings (cluster_id);
