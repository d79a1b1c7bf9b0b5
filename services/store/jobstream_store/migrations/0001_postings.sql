-- Postings and their skills, as the walking skeleton stores them.
CREATE TABLE postings (
    posting_id       text PRIMARY KEY,
    source_channel   text NOT NULL,
    source_name      text,
    source_format    text NOT NULL,
    received_at      timestamptz NOT NULL,
    title            text,
    company          text,
    text             text NOT NULL,
    parser_version   text NOT NULL,
    taxonomy_version text NOT NULL,
    first_seen       timestamptz NOT NULL DEFAULT now(),
    last_updated     timestamptz NOT NULL DEFAULT now(),
    kafka_topic      text NOT NULL,
    kafka_partition  integer NOT NULL,
    kafka_offset     bigint NOT NULL
);

CREATE TABLE posting_skills (
    posting_id       text NOT NULL REFERENCES postings (posting_id) ON DELETE CASCADE,
    skill_id         text NOT NULL,
    skill_name       text NOT NULL,
    category         text NOT NULL,
    required         boolean NOT NULL,
    mentions         integer NOT NULL CHECK (mentions > 0),
    first_span_start integer NOT NULL,
    first_span_end   integer NOT NULL,
    PRIMARY KEY (posting_id, skill_id)
);

CREATE INDEX posting_skills_by_skill ON posting_skills (skill_id);
CREATE INDEX postings_by_company ON postings (company);
CREATE INDEX postings_by_received_at ON postings (received_at);
