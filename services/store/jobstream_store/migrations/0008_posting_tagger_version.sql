-- Which span model tagged each posting (TaggedPosting.tagger_version: its name and content
-- hash), beside taxonomy_version: after a replay re-tags postings with a new model, an
-- operator sees which postings it has reached. NULL: tagged before the span model (issue 17).
ALTER TABLE postings ADD COLUMN tagger_version text;
