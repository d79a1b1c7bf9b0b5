"""The store's adapters: PostgreSQL (the pool, migrations, the repository, the search
indexer, the read views' refresher, counts). The core (`postings.py`, `ordering.py`) does no I/O."""
