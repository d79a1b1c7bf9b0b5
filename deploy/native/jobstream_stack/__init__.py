"""jobstream_stack."""
