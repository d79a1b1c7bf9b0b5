"""The pipeline's topology: every topic, every service, and which stage reads and writes what.

This is the one place topic names, topic settings, service names, consumer-group names and
the services' default ports are defined (`SERVICES`, the registry): metric labels, dead
letters' `stage`, the native stack's processes and Prometheus' scrape targets derive from
it. Settings add an optional namespace prefix (see `KafkaSettings.namespace`) so test runs and
parallel environments can share a broker without sharing topics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal

# Kafka's default of ~1 MB per record is too tight once a long posting carries its sections
# and skill spans; the producer, the topics and the broker all allow this much.
MAX_RECORD_BYTES: Final = 8 * 1024 * 1024

_DAY_MS: Final = 24 * 60 * 60 * 1000


@dataclass(frozen=True)
class TopicSpec:
    """A topic as the pipeline declares it. `config` holds Kafka topic-level settings."""

    name: str
    description: str
    config: MappingProxyType[str, str] = field(default_factory=lambda: MappingProxyType({}))


def _config(**settings: str) -> MappingProxyType[str, str]:
    base = {"max.message.bytes": str(MAX_RECORD_BYTES)}
    base.update({key.replace("_", "."): value for key, value in settings.items()})
    return MappingProxyType(base)


RAW_POSTINGS: Final = TopicSpec(
    name="jobstream.postings.raw",
    description="Postings as people dropped them in; kept forever because replays read it.",
    config=_config(retention_ms="-1"),
)
PARSED_POSTINGS: Final = TopicSpec(
    name="jobstream.postings.parsed",
    description="Structured postings from the parser.",
    config=_config(retention_ms=str(7 * _DAY_MS)),
)
TAGGED_POSTINGS: Final = TopicSpec(
    name="jobstream.postings.tagged",
    description="Parsed postings with skills tagged, read by the store.",
    config=_config(retention_ms=str(7 * _DAY_MS)),
)
DEAD_LETTERS: Final = TopicSpec(
    name="jobstream.postings.dead-letter",
    description="Events a stage could not process, with the reason; redriven by replay.",
    config=_config(retention_ms=str(30 * _DAY_MS)),
)

ALL_TOPICS: Final = (RAW_POSTINGS, PARSED_POSTINGS, TAGGED_POSTINGS, DEAD_LETTERS)

# The most copies of a partition the pipeline keeps: with three, one broker can fail and
# another be restarted without losing an acknowledged record or refusing writes.
MAX_REPLICATION_FACTOR: Final = 3


@dataclass(frozen=True)
class Replication:
    """How many copies of each partition, and how many must have a record before a producer
    with acks=all is told it is written (`min.insync.replicas`)."""

    factor: int
    min_insync: int


def replication_for(brokers: int, factor: int | None = None) -> Replication:
    """From the cluster's size (or a factor chosen): three copies on three brokers or more,
    and all but one in sync, so losing one broker neither loses an acknowledged record nor
    stops writes (1 and 1 on one broker; 2 and 1 on two)."""
    chosen = factor if factor is not None else min(MAX_REPLICATION_FACTOR, brokers)
    chosen = max(1, min(chosen, max(brokers, 1)))
    return Replication(chosen, max(1, chosen - 1))


# The services that handle postings, by the name their metrics and dead letters carry (a
# type: `SERVICES` below must name each; tests/unit/test_topology.py checks it).
StageName = Literal["ingest", "parser", "tagger", "store"]


@dataclass(frozen=True)
class Stage:
    """A consuming stage: its consumer group, what it reads and what it writes."""

    name: StageName
    group: str
    reads: TopicSpec
    writes: TopicSpec | None


PARSER: Final = Stage("parser", "jobstream-parser", RAW_POSTINGS, PARSED_POSTINGS)
TAGGER: Final = Stage("tagger", "jobstream-tagger", PARSED_POSTINGS, TAGGED_POSTINGS)
STORE: Final = Stage("store", "jobstream-store", TAGGED_POSTINGS, None)

CONSUMING_STAGES: Final = (PARSER, TAGGER, STORE)


@dataclass(frozen=True)
class Service:
    """A service: its name (process, logs, the `service` label in Prometheus), the default
    port of its ops endpoints (/metrics, /healthz, /readyz), where its settings class lives
    (`module:Class`: this library cannot import the services), and what it consumes, if
    it is a consuming stage."""

    name: str
    http_port: int
    settings: str
    stage: Stage | None = None


# In pipeline order; the native stack starts and stops them in this order.
SERVICES: Final = (
    Service("ingest", 18101, "jobstream_ingest.settings:IngestSettings"),
    Service("parser", 18102, "jobstream_parser.settings:ParserSettings", PARSER),
    Service("tagger", 18103, "jobstream_tagger.settings:TaggerSettings", TAGGER),
    Service("store", 18104, "jobstream_store.settings:StoreSettings", STORE),
    # The query API reads what the store wrote.
    Service("api", 18105, "jobstream_api.settings:ApiSettings"),
)


def service(name: str) -> Service:
    """The registry's entry for `name`; a KeyError names the services there are."""
    for entry in SERVICES:
        if entry.name == name:
            return entry
    raise KeyError(f"no service {name!r}; services: {', '.join(s.name for s in SERVICES)}")


def qualified(name: str, namespace: str) -> str:
    """A topic or group name inside a namespace (`""` means no prefix)."""
    return f"{namespace}.{name}" if namespace else name
