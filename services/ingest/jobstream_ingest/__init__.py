"""jobstream_ingest."""
