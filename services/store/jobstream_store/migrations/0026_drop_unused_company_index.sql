-- Nothing reads postings by the company as written: the read side's `?company=` matches
-- whatever the case, through `postings_by_company_folded` (lower(company), migration 0006).
-- The plain index was one more entry for the store to write with every posting.
DROP INDEX IF EXISTS postings_by_company;
