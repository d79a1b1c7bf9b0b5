-- The read side (issue 18): what the query API shows of a posting that the tables did not keep,
-- and the indexes its queries use. Applied by the owner; the reader role gets SELECT (migrate.py).

-- Each field's evidence: {"title": [0, 24], ...}, [start, end) offsets into `text`.
ALTER TABLE postings ADD COLUMN evidence jsonb NOT NULL DEFAULT '{}';
-- Every span of a skill in the posting, [[start, end], ...] (first_span_* keep the first).
ALTER TABLE posting_skills ADD COLUMN spans jsonb NOT NULL DEFAULT '[]';

-- Rows stored before this migration lack both: an empty content hash makes the next event of
-- each posting (a replay of the tagged topic, `jobstream replay copy`) rewrite it in full.
UPDATE postings SET content_hash = '';

-- GET /postings pages newest first by (received_at, posting_id): one index serves the order,
-- the keyset cursor and the since/until filters (it replaces the index on received_at alone).
CREATE INDEX postings_newest_first ON postings (received_at DESC, posting_id DESC);
DROP INDEX postings_by_received_at;
-- ?company= matches whatever the case.
CREATE INDEX postings_by_company_folded ON postings (lower(company));
