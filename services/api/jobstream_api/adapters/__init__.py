"""Adapters of the read model: PostgreSQL, and in memory for tests."""
