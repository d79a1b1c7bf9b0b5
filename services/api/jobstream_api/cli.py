"""Commands of the read side: `jobstream serve api`, `jobstream search`, `jobstream export`.

Both read commands take the filters of GET /postings, checked by the same code
(`queries.posting_query`), and read PostgreSQL as the read-only reader role.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from jobstream.cli import CommandGroups

T = TypeVar("T")

Text = Annotated[str | None, typer.Argument(help="full text (web search syntax)")]
Skills = Annotated[
    list[str] | None, typer.Option("--skill", "-s", help="skill id; repeat: all must match")
]
Required = Annotated[bool, typer.Option(help="the skills must be required, not preferred")]
Company = Annotated[str | None, typer.Option(help="the company, whatever the case")]
Country = Annotated[
    str | None, typer.Option(help="a country: ISO 3166-1 alpha-2 code (DE) or name (Germany)")
]
WorkMode = Annotated[str | None, typer.Option(help="remote, hybrid or onsite")]
Employment = Annotated[str | None, typer.Option(help="FULL_TIME, PART_TIME, CONTRACTOR, ...")]
Seniority = Annotated[str | None, typer.Option(help="junior, mid, senior, ...")]
Occupation = Annotated[str | None, typer.Option(help="occupation code")]
SalaryMin = Annotated[str | None, typer.Option(help="pay for a year at least this")]
Since = Annotated[str | None, typer.Option(help="received at or after (ISO 8601)")]
Until = Annotated[str | None, typer.Option(help="received before (ISO 8601)")]


def filter_params(**options: Any) -> dict[str, list[str]]:
    """The options as GET /postings's query parameters (`skill` repeated, flags as true)."""
    params: dict[str, list[str]] = {}
    for name, value in options.items():
        if value is None or value is False or value == []:
            continue
        if isinstance(value, list):
            params[name] = [str(item) for item in value]
        else:
            params[name] = ["true" if value is True else str(value)]
    return params


def run_query(work: Callable[[Any], Awaitable[T]]) -> T:
    """Run `work(read_model)` against PostgreSQL as the reader; a bad filter exits 2."""
    from jobstream_api.adapters.postgres import PostgresReadModel
    from jobstream_api.queries import BadParameter
    from jobstream_api.settings import ApiSettings

    async def main() -> T:
        settings = ApiSettings()
        model = PostgresReadModel(settings.postgres, statement_timeout_ms=60_000)
        try:
            return await work(model)
        finally:
            await model.close()

    try:
        return asyncio.run(main())
    except BadParameter as error:
        Console(stderr=True).print(f"[red]{error}[/]")
        raise typer.Exit(2) from error


def register(groups: CommandGroups) -> None:
    @groups.serve.command("api")
    def serve_api() -> None:
        """Answer queries over what was stored (JSON API and the explorer page, port 18105)."""
        from jobstream_api.service import serve
        from jobstream_api.settings import ApiSettings

        serve(ApiSettings())

    @groups.root.command("search")
    def search(
        q: Text = None,
        skill: Skills = None,
        required: Required = False,
        company: Company = None,
        country: Country = None,
        work_mode: WorkMode = None,
        employment_type: Employment = None,
        seniority: Seniority = None,
        occupation: Occupation = None,
        salary_min: SalaryMin = None,
        since: Since = None,
        until: Until = None,
        sort: Annotated[str | None, typer.Option(help="recent (default) or relevance")] = None,
        limit: Annotated[int | None, typer.Option(help="postings to show (1-200)")] = None,
        cursor: Annotated[str | None, typer.Option(help="the next page's cursor")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="the API's JSON answer")] = False,
    ) -> None:
        """Search stored postings with GET /postings's filters; a table, or --json."""
        from jobstream_api.queries import FILTER_PARAMS, posting_query

        wanted = FILTER_PARAMS | {"sort", "limit", "cursor"}
        params = filter_params(**{k: v for k, v in locals().items() if k in wanted})
        try:
            query = posting_query(params)
        except ValueError as error:
            Console(stderr=True).print(f"[red]{error}[/]")
            raise typer.Exit(2) from error
        page = run_query(lambda model: model.search_postings(query))
        if as_json:
            typer.echo(page.model_dump_json(indent=2))
            return
        table = Table("posting", "title", "company", "where", "pay", "received", "skills")
        for item in page.items:
            pay = item.pay
            table.add_row(
                item.id[:12],
                item.title or "—",
                item.company or "—",
                "; ".join(place.text for place in item.locations),
                f"{pay.currency or ''} {pay.min:,.0f}-{pay.max:,.0f}/{pay.period}"
                if pay and pay.min is not None and pay.max is not None
                else "",
                item.received_at.date().isoformat(),
                ", ".join(f"[bold]{s.id}[/]" if s.required else s.id for s in item.skills[:10])
                + (" …" if len(item.skills) > 10 else ""),
            )
        console = Console()
        console.print(table)
        if page.next_cursor:
            console.print(f"more: add --cursor {page.next_cursor}")

    @groups.root.command("export")
    def export(
        out: Annotated[str, typer.Argument(help="file to write, or - for stdout (csv, jsonl)")],
        fmt: Annotated[str, typer.Option("--format", "-f", help="csv, jsonl or parquet")] = "jsonl",
        q: Annotated[str | None, typer.Option("--q", help="full text")] = None,
        skill: Skills = None,
        required: Required = False,
        company: Company = None,
        country: Country = None,
        work_mode: WorkMode = None,
        employment_type: Employment = None,
        seniority: Seniority = None,
        occupation: Occupation = None,
        salary_min: SalaryMin = None,
        since: Since = None,
        until: Until = None,
    ) -> None:
        """Stream stored postings with their fields and skills to CSV, JSON Lines or Parquet
        (constant memory, oldest first; Parquet's schema: docs/read-side.md)."""
        from jobstream_api.adapters.export_files import WRITERS, batch_writer, open_output
        from jobstream_api.queries import FILTER_PARAMS, posting_filter

        errors = Console(stderr=True)
        if fmt not in WRITERS:
            errors.print(f"[red]--format: one of {', '.join(WRITERS)}[/]")
            raise typer.Exit(2)
        if fmt == "parquet" and out == "-":
            errors.print("[red]parquet is written to a file, not stdout: give a file name[/]")
            raise typer.Exit(2)
        options = {k: v for k, v in locals().items() if k in FILTER_PARAMS}
        try:
            wanted = posting_filter(filter_params(**options))
        except ValueError as error:
            errors.print(f"[red]{error}[/]")
            raise typer.Exit(2) from error

        async def work(model: Any) -> int:
            total = await model.count_postings(wanted)
            written = 0
            columns = (
                TextColumn("export"), BarColumn(), MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:,.0f}/s"), TimeRemainingColumn(),
            )  # fmt: skip
            started = time.perf_counter()
            with (
                Progress(*columns, console=errors, transient=False) as progress,
                open_output(out) as handle,
                batch_writer(fmt, handle) as writer,
            ):
                task = progress.add_task("export", total=total, rate=0.0)
                async for batch in model.export(wanted):
                    # in a thread: the read model fetches the next chunk meanwhile
                    await asyncio.to_thread(writer.write, batch)
                    written += batch.num_rows
                    rate = written / max(time.perf_counter() - started, 1e-9)
                    progress.update(task, advance=batch.num_rows, rate=rate)
            return written

        written = run_query(work)
        target = "stdout" if out == "-" else str(Path(out))
        errors.print(f"exported {written:,} postings to {target} ({fmt})")
