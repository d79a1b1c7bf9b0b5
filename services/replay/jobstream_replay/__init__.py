"""jobstream_replay: the operators' tool to re-read topics (issue 7 adds copy, redrive, reset)."""
