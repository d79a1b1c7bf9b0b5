"""Structured logs: JSON lines on stderr with the service name, for jobstream and its libraries.

Every line carries `service` and `stage` (one stage per service); lines about a record carry
its `posting_id`, `topic`, `partition` and `offset` (bound by the stage adapters). The level
comes from `JOBSTREAM_LOG_LEVEL`. Values of fields named like secrets are masked, whatever
the code logging them passed.
"""

from __future__ import annotations

import logging
import logging.config
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, cast

import structlog

# Fields computed only when a line is logged: a stage binds where each record came from, and
# binding the fields themselves (structlog's contextvars) cost 5 µs a record, for every record,
# to serve the few that ever log a line.
_LAZY_FIELDS: ContextVar[Callable[[], Mapping[str, object]] | None] = ContextVar(
    "jobstream_lazy_fields", default=None
)


def merge_lazy_fields(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: the fields bound by `lazy_fields`, unless the line has its own."""
    fields = _LAZY_FIELDS.get()
    if fields is not None:
        for key, value in fields().items():
            event.setdefault(key, value)
    return event


@contextmanager
def lazy_fields(fields: Callable[[], Mapping[str, object]]) -> Iterator[None]:
    """Lines logged inside carry `fields()`, called only for a line that is logged."""
    token = _LAZY_FIELDS.set(fields)
    try:
        yield
    finally:
        _LAZY_FIELDS.reset(token)


_SHARED_PROCESSORS: list[Any] = [
    structlog.contextvars.merge_contextvars,
    merge_lazy_fields,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


# `password`, `pg_password`, `api_token`...; not `token_required`.
SECRET_FIELD = re.compile(
    r"(^|_)(password|passwd|secret|token|authorization|api_key|credentials)$", re.IGNORECASE
)
MASK = "**********"


def mask_secrets(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """A structlog processor: fields named like secrets never reach a log line, nor do such
    keys inside a logged mapping (client options hold `sasl_plain_password`)."""
    return cast(dict[str, Any], _masked(event))


def _masked(value: Any, depth: int = 0) -> Any:
    if depth > 5:  # log fields are shallow; a deeper structure is left as it is
        return value
    if isinstance(value, dict):
        return {
            key: MASK
            if isinstance(key, str) and SECRET_FIELD.search(key) and item is not None
            else _masked(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list) or type(value) is tuple:
        return type(value)(_masked(item, depth + 1) for item in value)
    return value


def logging_config(service: str, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` mapping that renders every record as one JSON line."""

    def add_service(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
        event.setdefault("service", service)
        event.setdefault("stage", service)
        return event

    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    add_service,
                    mask_secrets,
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    structlog.processors.JSONRenderer(),
                ],
                "foreign_pre_chain": _SHARED_PROCESSORS,
            }
        },
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
        "root": {"handlers": ["stderr"], "level": level},
        # Third-party clients are chatty at INFO; their warnings still come through.
        "loggers": {name: {"level": "WARNING"} for name in ("aiokafka", "faust", "mode")},
    }


def configure_logging(service: str, level: str) -> None:
    logging.config.dictConfig(logging_config(service, level))
    structlog.configure(
        processors=[*_SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
