"""Every Prometheus metric of the pipeline, defined once (prometheus-client).

Names follow one scheme: `jobstream_` prefix, base units, `_total` on counters. Labels are
bounded (stage, reason, channel, format, outcome): never a posting id or another unbounded value.
"""

from __future__ import annotations

from typing import Final

from prometheus_client import Counter, Gauge, Histogram, Info

from jobstream import __version__

BUILD: Final = Info("jobstream_build", "Version of the running jobstream build.")
BUILD.info({"version": __version__})

EVENTS_CONSUMED: Final = Counter(
    "jobstream_events_consumed_total", "Records a stage read from its input topic.", ["stage"]
)
EVENTS_PRODUCED: Final = Counter(
    "jobstream_events_produced_total", "Events a stage published to its output topic.", ["stage"]
)
EVENTS_FAILED: Final = Counter(
    "jobstream_events_failed_total",
    "Records a stage could not process, by reason (each also goes to the dead-letter topic).",
    ["stage", "reason"],
)
DEAD_LETTERS: Final = Counter(
    "jobstream_dead_letters_total",
    "Dead letters published, by stage and reason.",
    ["stage", "reason"],
)
DEAD_LETTER_BRAKE: Final = Gauge(
    "jobstream_dead_letter_brake_engaged",
    "1 while the stage's dead-letter brake holds it (too many records failed: nothing is"
    " acknowledged or dead-lettered until it is fixed and restarted), else 0.",
    ["stage"],
)
PROCESSING_SECONDS: Final = Histogram(
    "jobstream_batch_processing_seconds",
    "Time to process one batch of records, delivery or database commit included.",
    ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
INGEST_OUTCOMES: Final = Counter(
    "jobstream_ingest_outcomes_total",
    "Postings offered to ingest, by channel, format and outcome: published (sent to Kafka and"
    " acknowledged), skipped (a repeat not sent again), rejected.",
    ["channel", "format", "outcome"],
)
INGEST_ALREADY_SEEN: Final = Counter(
    "jobstream_ingest_already_seen",
    "Postings whose id ingest had seen before (in the same input, run or its recent memory),"
    " whether skipped or sent again, by channel and format.",
    ["channel", "format"],
)
INGEST_REJECTIONS: Final = Counter(
    "jobstream_ingest_rejections_total",
    "Inputs or records of inputs ingest rejected, by reason and format.",
    ["channel", "reason", "format"],
)
INGEST_FILES: Final = Counter(
    "jobstream_ingest_files_total", "Inputs (files, stdin, uploads) ingest read.", ["channel"]
)
INGEST_BYTES: Final = Counter(
    "jobstream_ingest_bytes_total", "Bytes of input ingest read, as received.", ["channel"]
)
INGEST_REPLACED_BYTES: Final = Counter(
    "jobstream_ingest_replaced_bytes",
    "Bytes of published postings that were invalid in their text encoding, replaced by U+FFFD"
    " (each posting's count is in its raw event's source.replaced_bytes).",
    ["channel", "format"],
)
INGEST_PUBLISH_SECONDS: Final = Histogram(
    "jobstream_ingest_publish_seconds",
    "Time from sending a batch of raw postings to Kafka acknowledging every one of them.",
    ["channel"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
STORE_BATCH_SIZE: Final = Histogram(
    "jobstream_store_batch_size",
    "Postings written in one store transaction.",
    buckets=(1, 2, 5, 10, 25, 50, 100, 250, 500, 1000),
)
POSTINGS_STORED: Final = Counter(
    "jobstream_postings_stored_total",
    "Postings the store applied, by outcome (written, unchanged).",
    ["outcome"],
)


def geometric_buckets(start: float, stop: float, ratio: float) -> tuple[float, ...]:
    """Bucket bounds from `start` until one reaches `stop`, each `ratio` times the one before
    (three significant digits). A quantile read from such buckets is off by less than the
    ratio: histogram_quantile interpolates within one bucket."""
    bounds = [start]
    while bounds[-1] < stop:
        bounds.append(float(f"{bounds[-1] * ratio:.3g}"))
    return tuple(bounds)


# Quarter octaves (each bound 1.19 times the one before) from 1 s to 10 min: a p99 of 66 s
# reads as 66 s within 19%, not as 297 s (the old buckets jumped from 60 s to 300 s).
LATENCY_BUCKETS: Final = (0.05, 0.1, 0.25, 0.5, 0.75, *geometric_buckets(1, 600, 2**0.25))
END_TO_END_LATENCY: Final = Histogram(
    "jobstream_end_to_end_latency_seconds",
    "Time from ingest (received_at) to the posting being committed in PostgreSQL.",
    buckets=LATENCY_BUCKETS,
)
SEARCH_INDEXED: Final = Counter(
    "jobstream_search_indexed_total", "Postings the store's search indexer made searchable."
)
SEARCH_PENDING: Final = Gauge(
    "jobstream_search_pending_postings", "Stored postings not yet searchable (indexer backlog)."
)
PARSER_OUTCOMES: Final = Counter(
    "jobstream_parser_outcomes_total",
    "Raw postings the parser handled, by outcome (parsed, dead_letter) and reason (the dead"
    " letter's reason code; 'ok' when parsed).",
    ["outcome", "reason"],
)
PARSER_FIELDS_FOUND: Final = Counter(
    "jobstream_parser_fields_found_total",
    "Parsed postings in which the parser found a field (coverage: divide by the parsed outcome).",
    ["field"],
)
TAGGER_UNKNOWN_TERMS: Final = Counter(
    "jobstream_tagger_unknown_terms_total",
    "Skill-like terms next to a strong cue ('experience with X') that the taxonomy does not "
    "know, by cue word (a fixed set); the terms themselves are logged, not labelled.",
    ["cue"],
)
TAGGER_UNLINKED_SKILLS: Final = Counter(
    "jobstream_tagger_unlinked_skills_total",
    "Skills the span model found that no taxonomy entry names (tagged with linked=false), by "
    "layer (knowledge, skill); `jobstream tagger unlinked` lists them by name.",
    ["layer"],
)
# `jobstream replay` (served on --metrics-port while a replay runs); `mode` is copy,
# dead-letters or reset.
REPLAY_RECORDS_READ: Final = Counter(
    "jobstream_replay_records_read_total",
    "Records a replay read from its source topic (each is then sent or skipped).",
    ["mode"],
)
REPLAY_RECORDS_SENT: Final = Counter(
    "jobstream_replay_records_sent_total",
    "Records a replay sent that Kafka acknowledged.",
    ["mode"],
)
REPLAY_RECORDS_SKIPPED: Final = Counter(
    "jobstream_replay_records_skipped_total",
    "Records a replay read but did not send, by reason (time, key, header, stage, error_text,"
    " invalid_dead_letter, no_target, unknown_target, already_sent).",
    ["mode", "reason"],
)
REPLAY_RECORDS_REMAINING: Final = Gauge(
    "jobstream_replay_records_remaining",
    "Offsets of the replay's plan not read yet.",
    ["mode"],
)
REPLAY_BATCH_SECONDS: Final = Histogram(
    "jobstream_replay_batch_seconds",
    "Time from sending a replay batch to Kafka acknowledging all of it and the checkpoint written.",
    ["mode"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REPLAY_THROTTLED_SECONDS: Final = Counter(
    "jobstream_replay_throttled_seconds_total",
    "Time a replay waited for its --rate limit.",
    ["mode"],
)
REPLAY_PARTITIONS_RESET: Final = Counter(
    "jobstream_replay_partitions_reset_total",
    "Partitions whose committed offset `jobstream replay reset` moved.",
)
CONSUMER_LAG_RECORDS: Final = Gauge(
    "jobstream_consumer_lag_records",
    "Records in a partition the stage's consumer group has not committed yet (end offset minus"
    " committed offset), for the partitions this process is assigned.",
    ["stage", "partition"],
)
CONSUMER_LAG_SECONDS: Final = Gauge(
    "jobstream_consumer_lag_seconds",
    "Age of the oldest record of a partition not committed yet (0 when there is none).",
    ["stage", "partition"],
)
STORE_COMMIT_SECONDS: Final = Histogram(
    "jobstream_store_commit_seconds",
    "Time to write one batch to PostgreSQL, from the first statement to COMMIT.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
LAST_EVENT_TIMESTAMP: Final = Gauge(
    "jobstream_last_event_timestamp_seconds",
    "Unix time at which the stage last finished a batch (ingest: last published postings).",
    ["stage"],
)
READY: Final = Gauge(
    "jobstream_ready",
    "1 when a readiness check of the service passes, 0 when it fails (checked at each scrape).",
    ["check"],
)
ALERTS_RECEIVED: Final = Counter(
    "jobstream_alerts_received",
    "Alerts Alertmanager delivered to the native stack's alert receiver, by alert name, severity"
    " and status (firing, resolved).",
    ["alertname", "severity", "status"],
)

API_REQUESTS: Final = Counter(
    "jobstream_api_requests_total",
    "Requests the query API answered, by endpoint (its route, not the path) and status code.",
    ["endpoint", "code"],
)
API_REQUEST_SECONDS: Final = Histogram(
    "jobstream_api_request_seconds",
    "Time the query API took to answer a request, by endpoint.",
    ["endpoint"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
VIEWS_REFRESH_SECONDS: Final = Histogram(
    "jobstream_views_refresh_seconds",
    "Time the store took to refresh the read side's skill-demand views.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
