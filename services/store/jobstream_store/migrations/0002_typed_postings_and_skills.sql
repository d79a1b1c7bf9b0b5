-- Every parsed field as a typed column, the version columns of the ordering rule, a skills
-- table, and full-text search. Applied by the owner role; see ordering.py for the rule.

ALTER TABLE postings
    ADD COLUMN content_hash        text NOT NULL DEFAULT '',
    ADD COLUMN external_id         text,
    ADD COLUMN source_url          text,
    ADD COLUMN parser_version_key  integer[] NOT NULL DEFAULT '{}',
    ADD COLUMN tagged_at           timestamptz NOT NULL DEFAULT '-infinity',
    ADD COLUMN url                 text,
    ADD COLUMN work_mode           text,
    ADD COLUMN employment_type     text,
    ADD COLUMN seniority           text,
    ADD COLUMN experience_years_min numeric(4, 1),
    ADD COLUMN experience_years_max numeric(4, 1),
    ADD COLUMN salary_min          numeric(14, 2),
    ADD COLUMN salary_max          numeric(14, 2),
    ADD COLUMN salary_currency     char(3),
    ADD COLUMN salary_period       text,
    ADD COLUMN education           text,
    ADD COLUMN language            text,
    ADD COLUMN date_posted         date,
    ADD COLUMN working_hours       text,
    ADD COLUMN time_zone           text,
    ADD COLUMN locations           jsonb NOT NULL DEFAULT '[]',
    -- [{kind, heading, start, end}]: offsets into `text` (the view posting_sections slices them)
    ADD COLUMN sections            jsonb NOT NULL DEFAULT '[]',
    -- Filled by the store's search indexer shortly after a write (NULL: not indexed yet).
    -- Parsing ~4 KB of text costs ~0.3 ms of CPU: done inline it caps writes near 1,000
    -- postings/s, so it runs beside the write path, never in its transaction.
    ADD COLUMN search              tsvector;

-- The one definition of what is searchable: the title weighs more than the body, and the
-- body is capped so a huge posting cannot exceed the 1 MB limit of a tsvector.
CREATE FUNCTION posting_search_document(title text, body text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN setweight(to_tsvector('english', coalesce(title, '')), 'A')
        || setweight(to_tsvector('english', left(body, 200000)), 'B');

-- lz4 compresses the posting text several times faster than the default pglz (measured:
-- 3,800 -> 5,000 postings/s written).
ALTER TABLE postings ALTER COLUMN text SET COMPRESSION lz4;

CREATE INDEX postings_search ON postings USING gin (search);
CREATE INDEX postings_search_pending ON postings (posting_id) WHERE search IS NULL;

CREATE TABLE skills (
    skill_id   text PRIMARY KEY,
    name       text NOT NULL,
    category   text NOT NULL,
    source_ids jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO skills (skill_id, name, category)
SELECT DISTINCT ON (skill_id) skill_id, skill_name, category
FROM posting_skills
ORDER BY skill_id;

-- No foreign keys on posting_skills: the store is its only writer and replaces a posting's
-- skills in the transaction that writes the posting and upserts the skills. Measured on this
-- machine, the per-row checks cost 45% of write throughput (4,900 -> 2,700 postings/s).
ALTER TABLE posting_skills
    DROP CONSTRAINT posting_skills_posting_id_fkey,
    DROP COLUMN skill_name,
    DROP COLUMN category,
    ADD COLUMN confidence real NOT NULL DEFAULT 1;

-- A posting's sections with their text, sliced from the posting (stored once, in `text`).
CREATE VIEW posting_sections AS
SELECT p.posting_id,
       s.ordinality AS position,
       s.value ->> 'kind' AS kind,
       s.value ->> 'heading' AS heading,
       substr(p.text, (s.value ->> 'start')::int + 1,
              (s.value ->> 'end')::int - (s.value ->> 'start')::int) AS text
FROM postings p, jsonb_array_elements(p.sections) WITH ORDINALITY AS s (value, ordinality);
