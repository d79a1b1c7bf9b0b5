"""docs/settings.md's reference is what the settings models say (generated, never hand-edited)."""

from __future__ import annotations

import pytest

from jobstream_stack.settings_reference import PAGE, rewritten

pytestmark = pytest.mark.unit


def test_the_settings_reference_matches_the_settings_models() -> None:
    page = PAGE.read_text(encoding="utf-8")
    assert page == rewritten(page), (
        "docs/settings.md drifted from the settings models: run"
        " `python -m jobstream_stack.settings_reference`"
    )
