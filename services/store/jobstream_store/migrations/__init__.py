"""Versioned SQL migrations, applied in order by `jobstream_store.adapters.migrate`."""
