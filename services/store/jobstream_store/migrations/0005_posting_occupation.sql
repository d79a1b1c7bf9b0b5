-- The O*NET-SOC occupation the tagger coded from the posting's title and skills (issue 17).
-- NULL when the title names no occupation, and for postings tagged before the coder existed
-- (a replay of the parsed topic fills them in).

ALTER TABLE postings
    ADD COLUMN occupation_code       text,
    ADD COLUMN occupation_title      text,
    ADD COLUMN occupation_confidence real,
    ADD CONSTRAINT postings_occupation_code_format
        CHECK (occupation_code ~ '^[0-9]{2}-[0-9]{4}\.[0-9]{2}$'),
    ADD CONSTRAINT postings_occupation_confidence_range
        CHECK (occupation_confidence BETWEEN 0 AND 1);

-- Analysts count and filter postings by occupation ("which skills do accountants need").
CREATE INDEX postings_occupation_code ON postings (occupation_code);
