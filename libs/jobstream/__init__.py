"""jobstream: shared library of the pipeline (event contracts, topology, settings, adapters)."""

__version__ = "0.1.0"
