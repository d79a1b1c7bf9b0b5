"""The read side: the query API (`jobstream serve api`), the posting explorer page, exports and
`jobstream search`, over what the store wrote to PostgreSQL (docs/read-side.md)."""
