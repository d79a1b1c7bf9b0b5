"""Ingest's adapters: the inbox folder (watchfiles), POST /postings (aiohttp), files and
streams read from disk, and the progress kept for resumable bulk files. The core (`intake.py`,
`formats/`, `bulk.py`, `publishing.py`) reads bytes and decides; it opens nothing itself."""
