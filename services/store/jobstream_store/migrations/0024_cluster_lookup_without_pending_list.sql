-- The store looks up a batch's near-duplicate candidates with one probe of this index per band
-- key (repository._CANDIDATES). With GIN's fast update, new keys wait in a pending list that
-- every probe reads through to the end: thousands of probes a batch each re-read what recent
-- batches added (at 10,000 postings, 3 ms of PostgreSQL's CPU a posting). Without it, a
-- posting's 16 keys go into the index as it is written.
ALTER INDEX postings_by_signature_band SET (fastupdate = off);
