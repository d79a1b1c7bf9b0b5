"""Log lines: one JSON object each, with service, stage, where a record came from, no secrets."""

from __future__ import annotations

import io
import json
import logging
from functools import partial
from typing import Any

import pytest
from structlog.contextvars import bound_contextvars

from jobstream.contracts import Span
from jobstream.logs import MASK, lazy_fields, logging_config, merge_lazy_fields
from jobstream.ports import SystemClock
from jobstream.stages import Record, process_records, record_context

pytestmark = pytest.mark.unit


def render(service: str, emit: Any) -> dict[str, Any]:
    """What one log line of `service` looks like, through the real formatter."""
    spec = dict(logging_config(service, "INFO")["formatters"]["json"])
    formatter = spec.pop("()")(**spec)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"test.logs.{service}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
    [line] = stream.getvalue().splitlines()
    parsed: dict[str, Any] = json.loads(line)
    return parsed


def test_a_line_names_service_stage_level_and_time() -> None:
    line = render("parser", lambda logger: logger.warning("something happened"))
    assert line["service"] == "parser" and line["stage"] == "parser"
    assert line["level"] == "warning"
    assert line["event"] == "something happened"
    assert line["timestamp"].endswith("Z")


def test_lines_about_a_record_say_where_it_came_from() -> None:
    record = Record("jobstream.postings.raw", 3, 1234, b"posting-abc", b"{}")

    def emit(logger: logging.Logger) -> None:
        def process(_: Record) -> Span:
            logger.info("unknown skill-like terms")
            return Span(start=0, end=1)

        process_records([record], process, "tagger", SystemClock())

    line = render("tagger", emit)
    assert line["posting_id"] == "posting-abc"
    assert (line["topic"], line["partition"], line["offset"]) == ("jobstream.postings.raw", 3, 1234)


def test_a_line_s_own_fields_win_over_the_record_s() -> None:
    record = Record("jobstream.postings.raw", 3, 1234, b"posting-abc", b"{}")
    with lazy_fields(partial(record_context, record)):
        event = merge_lazy_fields(None, "info", {"event": "x", "offset": 7})
    assert event["offset"] == 7 and event["posting_id"] == "posting-abc"
    assert merge_lazy_fields(None, "info", {"event": "y"}) == {"event": "y"}  # unbound after


def test_fields_named_like_secrets_are_masked() -> None:
    with bound_contextvars(pg_password="hunter2", api_token="t" * 20, token_required=True):
        line = render("store", lambda logger: logger.info("connecting"))
    assert line["pg_password"] == MASK and line["api_token"] == MASK
    assert line["token_required"] is True
    assert "hunter2" not in json.dumps(line)


def test_the_level_comes_from_the_setting() -> None:
    assert logging_config("ingest", "WARNING")["root"]["level"] == "WARNING"
