-- Each posting's skills on its own row, written by the store in the same row as the posting
-- (repository.posting_values): [{"id", "required", "mentions", "confidence"}], one object a
-- skill of posting_skills (which stays: the filters, details and views read it). An export
-- reads a posting's skills with the posting instead of aggregating posting_skills a posting.
-- json, not jsonb: kept as the store wrote it, so reading it out costs no conversion (a jsonb's
-- text is made again at each read).
ALTER TABLE postings ADD COLUMN skills json NOT NULL DEFAULT '[]';

UPDATE postings p SET skills = s.skills
FROM (
    SELECT posting_id,
           json_agg(json_build_object(
               'id', skill_id, 'required', required, 'mentions', mentions,
               'confidence', confidence) ORDER BY skill_id) AS skills
    FROM posting_skills
    GROUP BY posting_id
) s
WHERE s.posting_id = p.posting_id;
