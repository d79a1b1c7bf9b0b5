"""jobstream_store."""
