"""`jobstream stack …`: the native stack (Kafka, PostgreSQL, the services) on this machine."""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import threading
import time
from functools import partial
from pathlib import Path
from typing import Annotated

import asyncpg
import typer
from rich.markup import escape
from rich.table import Table

from jobstream.cli import CommandGroups
from jobstream.settings import PROJECT_ROOT, KafkaSettings, PostgresSettings, RuntimeSettings
from jobstream_api.settings import ApiSettings
from jobstream_ingest.cli import publish_paths
from jobstream_ingest.settings import IngestSettings
from jobstream_stack.grafana import write_dashboards
from jobstream_stack.kafka import KafkaBroker, KafkaCluster, native_kafka, nodes_of
from jobstream_stack.kubernetes import write_manifests
from jobstream_stack.labour_market import write_dashboard as write_labour_market_dashboard
from jobstream_stack.layout import StackLayout
from jobstream_stack.operators import HttpProcess, operators
from jobstream_stack.postgres import PostgresServer
from jobstream_stack.prometheus import (
    PROMETHEUS_COMMANDS,
    PrometheusServer,
    native_exporters,
    native_targets,
    prometheus_config,
    render,
)
from jobstream_stack.services import (
    SERVICES,
    readiness_url,
    service_process,
    start_service,
    stop_services,
    wait_ready,
)
from jobstream_stack.settings import StackSettings
from jobstream_stack.status import status_command
from jobstream_stack.steps import StackError, console, note, step
from jobstream_stack.supervisor import Program, Supervisor, stop_supervisor
from jobstream_stack.system import ensure_commands
from jobstream_stack.tools import ensure_compose_plugin, ensure_kustomize
from jobstream_store.adapters.repository import postings_with_skills

SEEDS = PROJECT_ROOT / "seeds"
# Debian's browser and driver for tests/e2e/test_explorer_browser.py (Selenium).
BROWSER_COMMANDS = {"chromium": "chromium", "chromedriver": "chromium-driver"}

stack = typer.Typer(no_args_is_help=True, help="The native stack: Kafka, PostgreSQL, services.")


def register(groups: CommandGroups) -> None:
    groups.root.add_typer(stack, name="stack")
    groups.root.command("status")(status_command)
    groups.dev.command("dashboards")(dashboards)
    groups.dev.command("manifests")(manifests)
    groups.dev.command("install-test-tools")(install_test_tools)


def layout() -> StackLayout:
    return StackLayout(RuntimeSettings().state_dir)


def servers(
    where: StackLayout, brokers: int | None = None
) -> tuple[KafkaBroker | KafkaCluster, PostgresServer]:
    settings = StackSettings()
    return (
        native_kafka(where, KafkaSettings(), settings, brokers),
        PostgresServer(where, PostgresSettings(), settings),
    )


def operators_of(where: StackLayout) -> tuple[HttpProcess, ...]:
    """Alert receiver, Alertmanager, lag exporter, PostgreSQL's exporter (in start order)."""
    settings = StackSettings()
    postgres = PostgresServer(where, PostgresSettings(), settings)
    return operators(where, settings, PostgresSettings(), postgres)


def prometheus(where: StackLayout) -> PrometheusServer:
    settings = StackSettings()
    exporters = native_exporters(settings)
    alertmanager = f"{settings.alertmanager_host}:{settings.alertmanager_port}"
    supervisor = f"{settings.supervisor_metrics_host}:{settings.supervisor_metrics_port}"
    return PrometheusServer(
        where, settings, exporters=exporters, alertmanagers=[alertmanager], supervisor=supervisor
    )


def start_servers(brokers: int | None = None) -> StackLayout:
    """Install what is missing, then start Kafka, PostgreSQL, Prometheus and the operators'
    tooling (exporters, Alertmanager, the alert receiver); idempotent."""
    where = layout()
    where.create()
    kafka, postgres = servers(where, brokers)
    try:
        kafka.start()
        if isinstance(kafka, KafkaCluster):
            note(
                f"{len(kafka.brokers)} brokers: export JOBSTREAM_KAFKA_BOOTSTRAP_SERVERS="
                f"{kafka.bootstrap_servers} (clients then find the cluster while any is up)"
            )
        postgres.start()
        for process in operators_of(where):
            process.start()
        prometheus(where).start()
    except StackError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    return where


@stack.command("start")
def start(
    brokers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=9,
            help="Kafka brokers (KRaft nodes, each broker and controller); default: as many "
            "as last time, 1 for a new stack. Topics then get 3 replicas on 3 or more.",
        ),
    ] = None,
    started_file: Annotated[
        Path | None,
        typer.Option(help="write here which servers this run started (for `stop --started-file`)"),
    ] = None,
) -> None:
    """Install (when missing) and start Kafka, PostgreSQL, Prometheus, the exporters and
    Alertmanager."""
    where = layout()
    kafka, postgres = servers(where, brokers)
    running = {
        "kafka": any(node.process.is_running() for node in nodes_of(kafka)),
        "postgres": postgres.process.is_running(),
        "prometheus": prometheus(where).process.is_running(),
        **{tool.name: tool.process.is_running() for tool in operators_of(where)},
    }
    start_servers(brokers)
    if started_file is not None:
        started = [name for name, was_running in running.items() if not was_running]
        started_file.write_text(json.dumps(started))


@stack.command("prometheus-config")
def prometheus_config_command(
    scrape_seconds: Annotated[
        float | None, typer.Option(help="scrape and rule evaluation interval")
    ] = None,
) -> None:
    """Print the native stack's Prometheus configuration (targets from the services' settings)."""
    settings = StackSettings()
    server = prometheus(layout())
    rule_files = [str(server.rules_dir / "*.yml")]
    interval = scrape_seconds or settings.prometheus_scrape_seconds
    config = prometheus_config(
        native_targets(), rule_files, interval, server.exporters, server.alertmanagers
    )
    typer.echo(render(config), nl=False)


# `stack dashboards` and `stack install-test-tools` are the old names of the `dev` commands,
# kept hidden so scripts and habits keep working.
@stack.command("dashboards", hidden=True)
def dashboards() -> None:
    """Write the Grafana dashboards (deploy/grafana/dashboards) from their definitions."""
    for path in [*write_dashboards(), *write_labour_market_dashboard()]:
        console.print(f"wrote {path.relative_to(PROJECT_ROOT)}")


def manifests() -> None:
    """Write the Kubernetes base (deploy/kubernetes/base) from the services and the rules."""
    for path in write_manifests():
        console.print(f"wrote {path.relative_to(PROJECT_ROOT)}")


@stack.command("install-test-tools", hidden=True)
def install_test_tools() -> None:
    """Install what the test suite needs besides the servers (docker compose, kustomize,
    promtool, and chromium with its driver for the explorer page's browser test)."""
    try:
        ensure_commands(PROMETHEUS_COMMANDS, start_services=False)
        ensure_commands(BROWSER_COMMANDS, start_services=False)
        ensure_compose_plugin()
        ensure_kustomize()
    except StackError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error


@stack.command("stop")
def stop(
    supervisor: Annotated[bool, typer.Option(hidden=True)] = True,
    started_file: Annotated[
        Path | None,
        typer.Option(help="stop only the servers `start --started-file` recorded as started"),
    ] = None,
) -> None:
    """Stop the supervisor, the services, Prometheus, Kafka and PostgreSQL (idempotent)."""
    where = layout()
    if started_file is not None:
        _stop_started(where, started_file)
        return
    if supervisor and stop_supervisor(where):
        console.print("stopped the supervisor (`make run`): it stops what it started")
    stopped = stop_services(where)
    if stopped:
        console.print(f"stopped services: {', '.join(stopped)}")
    prometheus(where).stop()
    for process in reversed(operators_of(where)):
        process.stop()
    kafka, postgres = servers(where)
    kafka.stop()
    postgres.stop()


def _stop_started(where: StackLayout, started_file: Path) -> None:
    """Stop what one run (`make test`) started itself, and nothing it found running."""
    try:
        started = set(json.loads(started_file.read_text()))
    except (OSError, ValueError):
        started = set()
    if not started:
        console.print("the stack was running before; left running")
        return
    console.print(f"stopping what this run started: {', '.join(sorted(started))}")
    kafka, postgres = servers(where)
    if "prometheus" in started:
        prometheus(where).stop()
    for tool in reversed(operators_of(where)):
        if tool.name in started:
            tool.stop()
    if "kafka" in started:
        kafka.stop()
    if "postgres" in started:
        postgres.stop()


@stack.command("clean")
def clean() -> None:
    """Stop everything and delete the state folder and every PostgreSQL cluster the project
    made for it (also one under /var/lib/postgresql/jobstream when the checkout was out of the
    postgres user's reach), and clusters there whose checkout is gone."""
    where = layout()
    stop()
    _, postgres = servers(where)
    if postgres.home != postgres.dir:
        note(f"removing the PostgreSQL cluster in {postgres.home}")
    postgres.destroy()
    for orphan in postgres.remove_orphans():
        note(f"removed {orphan}: a cluster whose checkout is gone")
    shutil.rmtree(where.root, ignore_errors=True)
    note(f"removed {where.root}")


@stack.command("status")
def status() -> None:
    """Show what runs, where, and where its logs are."""
    where = layout()
    kafka, postgres = servers(where)
    table = Table("component", "status", "log")
    for node in nodes_of(kafka):
        table.add_row(node.process.name, node.status(), str(node.process.log_file))
    table.add_row("postgres", postgres.status(), str(postgres.log_file))
    server = prometheus(where)
    table.add_row("prometheus", server.status(), str(server.process.log_file))
    for tool in operators_of(where):
        table.add_row(tool.name, tool.status(), str(tool.process.log_file))
    for name in SERVICES:
        process = service_process(where, name)
        pid = process.pid()
        state = f"running (pid {pid}), {readiness_url(name)}" if pid else "stopped"
        table.add_row(name, state, str(process.log_file))
    console.print(table)


@stack.command("up")
def up(
    seeds: Annotated[Path, typer.Option(help="postings to ingest at start")] = SEEDS,
    wait_seconds: Annotated[float, typer.Option(help="how long to wait for the seeds")] = 120,
    stay: Annotated[bool, typer.Option(help="keep watching the inbox until Ctrl-C")] = True,
) -> None:
    """Start everything, ingest the seeds, show what was stored, then supervise until Ctrl-C
    (or `make stop`): a service or server that dies is started again, with backoff."""
    where = start_servers()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        _start_services(where)
        with step(f"ingest {seeds}"):
            summary = asyncio.run(publish_paths([str(seeds)], IngestSettings()))
        with step(f"wait for {len(summary.posting_ids)} postings in PostgreSQL"):
            rows = asyncio.run(_wait_stored(summary.posting_ids, wait_seconds))
        console.print(_postings_table(rows))
        _print_where(where)
        if stay:
            console.print(
                "Watching the inbox; a service or server that stops is started again"
                " (`jobstream status` shows restarts). Press Ctrl-C or run `make stop` to stop"
                " everything."
            )
            _supervise(where, [*_server_programs(where), *_service_programs(where)], stopping)
    except KeyboardInterrupt:
        pass
    except StackError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    finally:
        with step("stop everything"):
            stop(supervisor=False)


@stack.command("supervise")
def supervise() -> None:
    """Start the services that are not running and keep them running (restarted with
    backoff) until Ctrl-C or SIGTERM, then stop them. The servers must be running."""
    where = layout()
    where.create()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        _start_services(where)
        _supervise(where, _service_programs(where), stopping)
    except KeyboardInterrupt:
        pass
    except StackError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    finally:
        with step("stop the services"):
            stop_services(where)


def _start_services(where: StackLayout) -> None:
    with step("start the services"):
        for name in SERVICES:
            start_service(where, name)
        urls = {name: readiness_url(name) for name in SERVICES}
        wait_ready(where, urls, timeout=StackSettings().start_timeout_seconds)


def _supervise(where: StackLayout, programs: list[Program], stopping: threading.Event) -> None:
    def say(message: str) -> None:
        colour = "red" if "crash-looping" in message or "could not" in message else "yellow"
        console.print(f"[{colour}]{escape(message)}[/]")

    settings = StackSettings()
    metrics_at = (settings.supervisor_metrics_host, settings.supervisor_metrics_port)
    Supervisor(where, programs, settings.restart_policy, say, metrics_at).run(stopping)


def _service_programs(where: StackLayout) -> list[Program]:
    return [
        Program(name, service_process(where, name), partial(start_service, where, name))
        for name in SERVICES
    ]


def _server_programs(where: StackLayout) -> list[Program]:
    kafka, postgres = servers(where)
    server = prometheus(where)
    return [
        *(Program(node.process.name, node.process, node.start) for node in nodes_of(kafka)),
        Program("postgres", postgres.process, postgres.start),
        Program("prometheus", server.process, server.start),
    ]


async def _wait_stored(posting_ids: list[str], wait_seconds: float) -> list[asyncpg.Record]:
    deadline = time.monotonic() + wait_seconds
    conn = await asyncpg.connect(**PostgresSettings().connect_kwargs())
    try:
        while True:
            rows = await postings_with_skills(conn, posting_ids)
            if len(rows) == len(set(posting_ids)):
                return rows
            if time.monotonic() > deadline:
                raise StackError(
                    f"only {len(rows)} of {len(posting_ids)} postings stored after "
                    f"{wait_seconds:.0f} s; see `jobstream stack status` for the logs"
                )
            await asyncio.sleep(0.5)
    finally:
        await conn.close()


def _postings_table(rows: list[asyncpg.Record]) -> Table:
    table = Table("posting", "title", "company", "skills", title="Stored in PostgreSQL")
    for row in rows:
        skills = ", ".join(row["skills"][:8]) + (" …" if len(row["skills"]) > 8 else "")
        table.add_row(row["posting_id"][:12], row["title"] or "—", row["company"] or "—", skills)
    return table


def _print_where(where: StackLayout) -> None:
    console.print(f"Inbox:   {IngestSettings().inbox}")
    console.print("         drop postings in: txt, md, html, json, jsonl, csv, pdf, docx, or gzip")
    console.print(f"Logs:    {where.logs}")
    for name in SERVICES:
        console.print(f"Metrics: {readiness_url(name).replace('/readyz', '/metrics')}  ({name})")
    console.print(f"Prometheus: {prometheus(where).url}  (rules, alerts, graphs)")
    receiver, alertmanager, *_ = operators_of(where)
    console.print(f"Alertmanager: {alertmanager.url}  (alerts go to {receiver.url}/alerts)")
    api = ApiSettings()
    console.print(
        f"Explorer:   http://{api.http_host}:{api.http_port}/  (query API: /openapi.json)"
    )
