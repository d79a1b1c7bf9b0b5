"""The span model: a CRF over chunks that finds Knowledge and Skill spans (issue 17)."""

from pathlib import Path

from jobstream.compiled import subpackage_path
from jobstream_tagger import BUILD, PACKAGE_DIR

subpackage_path(BUILD, __path__, PACKAGE_DIR, Path(__file__).resolve().parent)
