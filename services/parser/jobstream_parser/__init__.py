"""jobstream_parser."""
