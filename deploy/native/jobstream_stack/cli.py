"""`jobstream stack …`: the native stack (Kafka, PostgreSQL, the services) on this machine."""

from __future__ import annotations

import asyncio
import signal
import threading
import time
from pathlib import Path
from typing import Annotated

import asyncpg
import typer
from rich.table import Table

from jobstream.cli import CommandGroups
from jobstream.settings import PROJECT_ROOT, KafkaSettings, PostgresSettings, RuntimeSettings
from jobstream_api.settings import ApiSettings
from jobstream_ingest.cli import publish_paths
from jobstream_ingest.settings import IngestSettings
from jobstream_stack.grafana import write_dashboards
from jobstream_stack.kafka import KafkaBroker
from jobstream_stack.labour_market import write_dashboard as write_labour_market_dashboard
from jobstream_stack.layout import StackLayout
from jobstream_stack.postgres import PostgresServer
from jobstream_stack.prometheus import (
    PROMETHEUS_COMMANDS,
    PrometheusServer,
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
from jobstream_stack.steps import StackError, console, step
from jobstream_stack.system import ensure_commands
from jobstream_stack.tools import ensure_compose_plugin
from jobstream_store.repository import postings_with_skills

SEEDS = PROJECT_ROOT / "seeds"
# Debian's browser and driver for tests/e2e/test_explorer_browser.py (Selenium).
BROWSER_COMMANDS = {"chromium": "chromium", "chromedriver": "chromium-driver"}

stack = typer.Typer(no_args_is_help=True, help="The native stack: Kafka, PostgreSQL, services.")


def register(groups: CommandGroups) -> None:
    groups.root.add_typer(stack, name="stack")
    groups.root.command("status")(status_command)


def layout() -> StackLayout:
    return StackLayout(RuntimeSettings().state_dir)


def servers(where: StackLayout) -> tuple[KafkaBroker, PostgresServer]:
    settings = StackSettings()
    return (
        KafkaBroker(where, KafkaSettings(), settings),
        PostgresServer(where, PostgresSettings(), settings),
    )


def prometheus(where: StackLayout) -> PrometheusServer:
    return PrometheusServer(where, StackSettings())


def start_servers() -> StackLayout:
    """Install what is missing, then start Kafka, PostgreSQL and Prometheus (idempotent)."""
    where = layout()
    where.create()
    kafka, postgres = servers(where)
    try:
        kafka.start()
        postgres.start()
        prometheus(where).start()
    except StackError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    return where


@stack.command("start")
def start() -> None:
    """Install (when missing) and start Kafka, PostgreSQL and Prometheus."""
    start_servers()


@stack.command("prometheus-config")
def prometheus_config_command(
    scrape_seconds: Annotated[
        float | None, typer.Option(help="scrape and rule evaluation interval")
    ] = None,
) -> None:
    """Print the native stack's Prometheus configuration (targets from the services' settings)."""
    settings = StackSettings()
    server = PrometheusServer(layout(), settings)
    rule_files = [str(server.rules_dir / "*.yml")]
    interval = scrape_seconds or settings.prometheus_scrape_seconds
    typer.echo(render(prometheus_config(native_targets(), rule_files, interval)), nl=False)


@stack.command("dashboards")
def dashboards() -> None:
    """Write the Grafana dashboards (deploy/grafana/dashboards) from their definitions."""
    for path in [*write_dashboards(), *write_labour_market_dashboard()]:
        console.print(f"wrote {path.relative_to(PROJECT_ROOT)}")


@stack.command("install-test-tools")
def install_test_tools() -> None:
    """Install what the test suite needs besides the servers (docker compose, promtool, and
    chromium with its driver for the explorer page's browser test)."""
    try:
        ensure_commands(PROMETHEUS_COMMANDS, start_services=False)
        ensure_commands(BROWSER_COMMANDS, start_services=False)
        ensure_compose_plugin()
    except StackError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error


@stack.command("stop")
def stop() -> None:
    """Stop the services, Prometheus, Kafka and PostgreSQL (idempotent)."""
    where = layout()
    stopped = stop_services(where)
    if stopped:
        console.print(f"stopped services: {', '.join(stopped)}")
    prometheus(where).stop()
    kafka, postgres = servers(where)
    kafka.stop()
    postgres.stop()


@stack.command("status")
def status() -> None:
    """Show what runs, where, and where its logs are."""
    where = layout()
    kafka, postgres = servers(where)
    table = Table("component", "status", "log")
    table.add_row("kafka", kafka.status(), str(kafka.process.log_file))
    table.add_row("postgres", postgres.status(), str(postgres.log_file))
    server = prometheus(where)
    table.add_row("prometheus", server.status(), str(server.process.log_file))
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
    """Start everything, ingest the seeds, show what was stored, watch the inbox until Ctrl-C."""
    where = start_servers()
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    try:
        with step("start the services"):
            for name in SERVICES:
                start_service(where, name)
            urls = {name: readiness_url(name) for name in SERVICES}
            wait_ready(where, urls, timeout=StackSettings().start_timeout_seconds)
        with step(f"ingest {seeds}"):
            summary = asyncio.run(publish_paths([str(seeds)], IngestSettings()))
        with step(f"wait for {len(summary.posting_ids)} postings in PostgreSQL"):
            rows = asyncio.run(_wait_stored(summary.posting_ids, wait_seconds))
        console.print(_postings_table(rows))
        _print_where(where)
        if stay:
            console.print("Watching the inbox. Press Ctrl-C to stop everything.")
            while not stopping.wait(0.5):
                _fail_if_a_service_died(where)
    except KeyboardInterrupt:
        pass
    except StackError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    finally:
        with step("stop everything"):
            stop()


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
    api = ApiSettings()
    console.print(
        f"Explorer:   http://{api.http_host}:{api.http_port}/  (query API: /openapi.json)"
    )


def _fail_if_a_service_died(where: StackLayout) -> None:
    for name in SERVICES:
        process = service_process(where, name)
        if not process.is_running():
            raise StackError(f"{name} stopped; its log ends:\n{process.log_tail()}")
