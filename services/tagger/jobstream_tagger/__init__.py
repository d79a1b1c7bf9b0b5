"""jobstream_tagger."""
