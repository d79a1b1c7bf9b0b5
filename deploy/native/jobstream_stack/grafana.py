"""The Grafana dashboards, generated: `jobstream stack dashboards` writes deploy/grafana/dashboards.

Each panel is a title, a unit and its queries; this module lays them out and writes Grafana's
JSON model. Panels read the recording rules of deploy/prometheus/rules/recording.yml where one
exists, so a dashboard and an alert see the same numbers. A test keeps the written files equal
to what this module generates, and the Prometheus proof test runs every query against a live
pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from jobstream.settings import PROJECT_ROOT

DASHBOARDS_DIR = PROJECT_ROOT / "deploy" / "grafana" / "dashboards"
# The data source provisioned in deploy/grafana/provisioning/datasources/prometheus.yml: the
# default of each dashboard's `datasource` variable, which panels read through.
PROVISIONED_DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 39
RATE = "$__rate_interval"


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    queries: Sequence[Query]
    unit: str = "short"
    description: str = ""
    kind: Literal["timeseries", "stat"] = "timeseries"
    width: int = 12


@dataclass(frozen=True)
class Row:
    title: str
    panels: Sequence[Panel]


@dataclass(frozen=True)
class Dashboard:
    uid: str
    title: str
    description: str
    rows: Sequence[Row]
    variables: Sequence[dict[str, Any]] = field(default_factory=tuple)


def datasource_variable() -> dict[str, Any]:
    """Which Prometheus to read: any of the instance's Prometheus data sources."""
    return {
        "name": "datasource",
        "label": "data source",
        "type": "datasource",
        "query": "prometheus",
        "refresh": 1,
        "current": {
            "text": PROVISIONED_DATASOURCE["uid"],
            "value": PROVISIONED_DATASOURCE["uid"],
        },
    }


def query_variable(name: str, query: str, label: str | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "label": label or name,
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": query, "refId": name},
        "definition": query,
        "refresh": 2,
        "sort": 1,
        "includeAll": True,
        "multi": True,
        # "All" is a regex matching every value: panels use label=~"$name".
        "allValue": ".+",
        "current": {"text": "All", "value": "$__all"},
    }


def service_variable() -> dict[str, Any]:
    return query_variable("service", 'label_values(up{service!=""}, service)')


def instance_variable() -> dict[str, Any]:
    """Every process of the chosen services (several instances of a stage each have one)."""
    return query_variable("instance", 'label_values(up{service=~"$service"}, instance)')


def overview() -> Dashboard:
    return Dashboard(
        uid="jobstream-overview",
        title="jobstream: pipeline overview",
        description="Throughput, lag, latency, failures, ingest and store across the pipeline.",
        variables=[datasource_variable()],
        rows=[
            Row(
                "Health",
                [
                    Panel(
                        "Services up",
                        [Query('sum(up{service!=""})')],
                        kind="stat",
                        width=6,
                        description="Services Prometheus can scrape (5 when all run).",
                    ),
                    Panel(
                        "Readiness checks failing",
                        [Query("sum(1 - jobstream_ready)")],
                        kind="stat",
                        width=6,
                        description="Readiness checks (Kafka, PostgreSQL) failing now.",
                    ),
                    Panel(
                        "Records waiting",
                        [Query("sum(jobstream:consumer_lag_records:sum)")],
                        kind="stat",
                        width=6,
                        description="Uncommitted records over every stage and partition.",
                    ),
                    Panel(
                        "End-to-end p99",
                        [Query("jobstream:end_to_end_latency_seconds:p99")],
                        unit="s",
                        kind="stat",
                        width=6,
                    ),
                ],
            ),
            Row(
                "Throughput and lag",
                [
                    Panel(
                        "Events consumed per stage",
                        [Query("jobstream:events_consumed:rate1m", "{{stage}}")],
                        unit="ops",
                    ),
                    Panel(
                        "Events produced per stage",
                        [Query("jobstream:events_produced:rate1m", "{{stage}}")],
                        unit="ops",
                        description="Ingest: postings published; parser, tagger: events out.",
                    ),
                    Panel(
                        "Consumer lag per stage (records)",
                        [Query("jobstream:consumer_lag_records:sum", "{{stage}}")],
                    ),
                    Panel(
                        "Consumer lag per stage (age of oldest waiting record)",
                        [Query("jobstream:consumer_lag_seconds:max", "{{stage}}")],
                        unit="s",
                    ),
                ],
            ),
            Row(
                "Latency",
                [
                    Panel(
                        "End-to-end latency, ingest to stored",
                        [
                            Query(f"jobstream:end_to_end_latency_seconds:{q}", q)
                            for q in ("p50", "p95", "p99")
                        ],
                        unit="s",
                    ),
                    Panel(
                        "Batch processing p99 per stage",
                        [Query("jobstream:batch_processing_seconds:p99", "{{stage}}")],
                        unit="s",
                    ),
                ],
            ),
            Row(
                "Failures",
                [
                    Panel(
                        "Error ratio per stage",
                        [Query("jobstream:error_ratio:rate1m", "{{stage}}")],
                        unit="percentunit",
                        description="Failed (dead-lettered) over consumed; alert above 5%.",
                    ),
                    Panel(
                        "Records waiting per group (from Kafka, also while a stage is down)",
                        [Query("jobstream:kafka_consumergroup_lag:sum", "{{consumergroup}}")],
                        description="Read by the lag exporter, not by the stages: a dead "
                        "stage's backlog stays visible.",
                    ),
                ],
            ),
            Row(
                "Data quality",
                [
                    Panel(
                        "Fields found, share of parsed postings",
                        [
                            Query(
                                "sum by (field) "
                                f"(rate(jobstream_parser_fields_found_total[{RATE}]))"
                                " / scalar(sum(rate(jobstream_parser_outcomes_total"
                                f'{{outcome="parsed"}}[{RATE}])) > 0)',
                                "{{field}}",
                            )
                        ],
                        unit="percentunit",
                        description="How often the parser finds each field: a fall after a "
                        "release or a new source is a regression to look at.",
                    ),
                    Panel(
                        "Unlinked skills and unknown terms",
                        [
                            Query(
                                "sum by (layer) "
                                f"(increase(jobstream_tagger_unlinked_skills_total[{RATE}]))",
                                "unlinked {{layer}} (span model)",
                            ),
                            Query(
                                "sum by (cue) "
                                f"(increase(jobstream_tagger_unknown_terms_total[{RATE}]))",
                                "unknown after '{{cue}}'",
                            ),
                        ],
                        description="Spans the model found that no taxonomy entry names "
                        "(`jobstream tagger unlinked` lists them), and skill-like words after "
                        "a strong cue that nothing tagged (in the tagger's log).",
                    ),
                    Panel(
                        "Ingest rejections by reason",
                        [
                            Query(
                                f"sum by (reason) (increase(jobstream_ingest_rejections_total"
                                f"[{RATE}]))",
                                "{{reason}}",
                            )
                        ],
                    ),
                    Panel(
                        "Dead letters by stage and reason (from the stages)",
                        [
                            Query(
                                "sum by (stage, reason) "
                                f"(increase(jobstream_dead_letters_total[{RATE}]))",
                                "{{stage}} {{reason}}",
                            )
                        ],
                    ),
                ],
            ),
            Row(
                "Ingest",
                [
                    Panel(
                        "Ingest outcomes by format",
                        [Query("jobstream:ingest_outcomes:rate1m", "{{outcome}} {{format}}")],
                        unit="ops",
                    ),
                ],
            ),
            Row(
                "Store",
                [
                    Panel(
                        "Store batches",
                        [
                            Query("jobstream:store_batches:rate1m", "batches/s"),
                            Query("jobstream:store_batch_size:avg1m", "postings per batch"),
                        ],
                    ),
                    Panel(
                        "Store commit time p99",
                        [Query("jobstream:store_commit_seconds:p99", "p99")],
                        unit="s",
                    ),
                    Panel(
                        "Postings stored by outcome",
                        [Query("jobstream:postings_stored:rate1m", "{{outcome}}")],
                        unit="ops",
                        description="written: new or changed; unchanged: a repeat.",
                    ),
                    Panel(
                        "Search indexer backlog",
                        [Query("sum(jobstream_search_pending_postings)", "pending")],
                    ),
                ],
            ),
            Row(
                "Supervisor (native stack under make run)",
                [
                    Panel(
                        "Restarts in the last hour",
                        [
                            Query(
                                "sum by (program)"
                                " (increase(jobstream_supervisor_restarts_total[1h]))",
                                "{{program}}",
                            )
                        ],
                        description="Programs the supervisor started again after they ended.",
                    ),
                    Panel(
                        "Crash-looping",
                        [Query("sum(jobstream_supervisor_crash_looping)")],
                        kind="stat",
                        width=6,
                        description="Programs restarting too often to stay up (0 when healthy).",
                    ),
                ],
            ),
        ],
    )


def service_view() -> Dashboard:
    match = 'service=~"$service", instance=~"$instance"'
    return Dashboard(
        uid="jobstream-service",
        title="jobstream: service",
        description="One service (or all): health, its events, failures, lag and resources.",
        variables=[datasource_variable(), service_variable(), instance_variable()],
        rows=[
            Row(
                "Health",
                [
                    Panel("Up", [Query(f"up{{{match}}}", "{{service}} {{instance}}")]),
                    Panel(
                        "Readiness checks (1 = passing)",
                        [Query(f"jobstream_ready{{{match}}}", "{{service}} {{check}}")],
                    ),
                ],
            ),
            Row(
                "Events",
                [
                    Panel(
                        "Events in and out",
                        [
                            Query(
                                f"sum by (stage) (rate(jobstream_events_consumed_total{{{match}}}"
                                f"[{RATE}]))",
                                "{{stage}} in",
                            ),
                            Query(
                                f"sum by (stage) (rate(jobstream_events_produced_total{{{match}}}"
                                f"[{RATE}]))",
                                "{{stage}} out",
                            ),
                        ],
                        unit="ops",
                    ),
                    Panel(
                        "Failures by reason",
                        [
                            Query(
                                f"sum by (stage, reason) "
                                f"(increase(jobstream_events_failed_total{{{match}}}[{RATE}]))",
                                "{{stage}} {{reason}}",
                            )
                        ],
                    ),
                    Panel(
                        "Batch processing time",
                        [
                            Query(
                                f"histogram_quantile({q}, sum by (stage, le) (rate("
                                f"jobstream_batch_processing_seconds_bucket{{{match}}}[{RATE}])))",
                                f"{{{{stage}}}} p{round(q * 100)}",
                            )
                            for q in (0.5, 0.95, 0.99)
                        ],
                        unit="s",
                    ),
                    Panel(
                        "Since the last batch",
                        [
                            Query(
                                f"time() - jobstream_last_event_timestamp_seconds{{{match}}}",
                                "{{stage}}",
                            )
                        ],
                        unit="s",
                    ),
                ],
            ),
            Row(
                "Consumer lag by partition",
                [
                    Panel(
                        "Records waiting",
                        [
                            Query(
                                f"jobstream_consumer_lag_records{{{match}}}",
                                "{{stage}} p{{partition}}",
                            )
                        ],
                    ),
                    Panel(
                        "Age of the oldest waiting record",
                        [
                            Query(
                                f"jobstream_consumer_lag_seconds{{{match}}}",
                                "{{stage}} p{{partition}}",
                            )
                        ],
                        unit="s",
                    ),
                ],
            ),
            Row(
                "Process",
                [
                    Panel(
                        "CPU",
                        [
                            Query(
                                f"rate(process_cpu_seconds_total{{{match}}}[{RATE}])",
                                "{{service}}",
                            )
                        ],
                        unit="percentunit",
                    ),
                    Panel(
                        "Resident memory",
                        [Query(f"process_resident_memory_bytes{{{match}}}", "{{service}}")],
                        unit="bytes",
                    ),
                ],
            ),
        ],
    )


def infrastructure() -> Dashboard:
    """Kafka and PostgreSQL, from their exporters: they keep reporting when stages die."""
    database = 'datname=~"$database"'
    return Dashboard(
        uid="jobstream-infrastructure",
        title="jobstream: Kafka and PostgreSQL",
        description="Brokers, partitions and consumer groups (the lag exporter); PostgreSQL "
        "(postgres_exporter).",
        variables=[
            datasource_variable(),
            query_variable("database", "label_values(pg_stat_database_xact_commit, datname)"),
        ],
        rows=[
            Row(
                "Kafka brokers",
                [
                    Panel("Brokers", [Query("kafka_brokers")], kind="stat", width=6),
                    Panel(
                        "Under-replicated partitions",
                        [Query("jobstream:kafka_under_replicated_partitions:sum")],
                        kind="stat",
                        width=6,
                        description="Partitions with fewer replicas in sync than they have.",
                    ),
                    Panel(
                        "Partitions without a leader",
                        [Query("count(kafka_topic_partition_leader == -1) or vector(0)")],
                        kind="stat",
                        width=6,
                    ),
                    Panel(
                        "Reachable",
                        [Query("min(jobstream_lag_exporter_kafka_up)")],
                        kind="stat",
                        width=6,
                        description="1 when the lag exporter's last reading of Kafka worked.",
                    ),
                    Panel(
                        "Partitions led per broker",
                        [Query("count by (leader) (kafka_topic_partition_leader)", "{{leader}}")],
                        description="A broker that stops leading lost its partitions to the "
                        "others; they move back as it returns.",
                    ),
                    Panel(
                        "Records in per topic",
                        [
                            Query(
                                "sum by (topic) "
                                f"(rate(kafka_topic_partition_current_offset[{RATE}]))",
                                "{{topic}}",
                            )
                        ],
                        unit="ops",
                    ),
                ],
            ),
            Row(
                "Consumer groups (from Kafka)",
                [
                    Panel(
                        "Records waiting per group",
                        [Query("jobstream:kafka_consumergroup_lag:sum", "{{consumergroup}}")],
                    ),
                    Panel(
                        "Live members per group",
                        [Query("kafka_consumergroup_members", "{{consumergroup}}")],
                        description="0 with records waiting: the stage is down.",
                    ),
                ],
            ),
            Row(
                "PostgreSQL",
                [
                    Panel("Up", [Query("pg_up")], kind="stat", width=6),
                    Panel(
                        "Connections",
                        [Query(f"sum(pg_stat_database_numbackends{{{database}}})")],
                        kind="stat",
                        width=6,
                    ),
                    Panel(
                        "Database size",
                        [Query(f"sum(pg_database_size_bytes{{{database}}})")],
                        unit="bytes",
                        kind="stat",
                        width=6,
                    ),
                    Panel(
                        "Deadlocks",
                        [Query(f"sum(increase(pg_stat_database_deadlocks{{{database}}}[1h]))")],
                        kind="stat",
                        width=6,
                    ),
                    Panel(
                        "Transactions per second",
                        [
                            Query(
                                f"sum(rate(pg_stat_database_xact_commit{{{database}}}[{RATE}]))",
                                "commits",
                            ),
                            Query(
                                f"sum(rate(pg_stat_database_xact_rollback{{{database}}}[{RATE}]))",
                                "rollbacks",
                            ),
                        ],
                        unit="ops",
                    ),
                    Panel(
                        "Rows written per second",
                        [
                            Query(
                                f"sum(rate(pg_stat_database_tup_inserted{{{database}}}[{RATE}]))",
                                "inserted",
                            ),
                            Query(
                                f"sum(rate(pg_stat_database_tup_updated{{{database}}}[{RATE}]))",
                                "updated",
                            ),
                        ],
                        unit="ops",
                    ),
                ],
            ),
        ],
    )


DASHBOARDS = (overview, service_view, infrastructure)


def panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    height = 4 if panel.kind == "stat" else 8
    body: dict[str, Any] = {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": height, "w": panel.width, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "targets": [
            {
                "refId": chr(ord("A") + n),
                "datasource": DATASOURCE,
                "expr": query.expr,
                "legendFormat": query.legend or "__auto",
                "range": True,
            }
            for n, query in enumerate(panel.queries)
        ],
    }
    if panel.kind == "timeseries":
        body["options"] = {
            "legend": {"displayMode": "list", "placement": "bottom", "showLegend": True},
            "tooltip": {"mode": "multi", "sort": "desc"},
        }
    else:
        body["options"] = {"reduceOptions": {"calcs": ["lastNotNull"], "values": False}}
    return body


def dashboard_json(dashboard: Dashboard) -> dict[str, Any]:
    """Grafana's JSON model: a row panel before each row's panels, 24 columns wide."""
    panels: list[dict[str, Any]] = []
    y = 0
    for row in dashboard.rows:
        panels.append(
            {
                "id": len(panels) + 1,
                "type": "row",
                "title": row.title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": 24, "x": 0, "y": y},
                "panels": [],
            }
        )
        y += 1
        x, row_height = 0, 0
        for panel in row.panels:
            if x + panel.width > 24:
                x, y = 0, y + row_height
            body = panel_json(panel, len(panels) + 1, x, y)
            panels.append(body)
            x += panel.width
            row_height = max(row_height, body["gridPos"]["h"])
        y += row_height
    return {
        "uid": dashboard.uid,
        "title": dashboard.title,
        "description": dashboard.description,
        "tags": ["jobstream"],
        "editable": True,
        "timezone": "browser",
        "refresh": "10s",
        "time": {"from": "now-1h", "to": "now"},
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "annotations": {"list": []},
        "templating": {"list": list(dashboard.variables)},
        "panels": panels,
    }


def rendered() -> dict[str, str]:
    """File name -> JSON text of every dashboard."""
    files = {}
    for build in DASHBOARDS:
        dashboard = build()
        text = json.dumps(dashboard_json(dashboard), indent=2, ensure_ascii=False) + "\n"
        files[f"{dashboard.uid}.json"] = text
    return files


def write_dashboards(folder: Path = DASHBOARDS_DIR) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in rendered().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
