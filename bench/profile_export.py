"""Where the Parquet export's CPU goes, per posting: reading, converting, writing, in-process.

    python -m bench.profile_export DATABASE [--postings 200000] [--out file.parquet]

Runs the export's stages one after the other in one thread over a database of the native
stack (the read side's benchmark's, kept: `JOBSTREAM_BENCH_READ_SIDE_DATABASE`), every
posting as `jobstream export --format parquet` reads them (`ExportCursor` over the read
model's COPY, `columnar.export_batch`, the Parquet writer), and prints this thread's CPU µs a
posting for each stage (the process's, so that the work of Arrow's own threads counts) and
its PostgreSQL backend's (from /proc: PostgreSQL runs on the same cores). The stages one after
the other, so that a stage's figure is its own, whatever the machine's load; the command
overlaps them (docs/read-side.md).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Annotated

import adbc_driver_postgresql.dbapi as adbc
import typer

from bench.pipeline import cpu_seconds
from jobstream.settings import PostgresSettings
from jobstream_api.adapters import columnar, postgres
from jobstream_api.adapters.export_cursor import ExportCursor, conninfo
from jobstream_api.adapters.export_files import ParquetWriter

_APPLICATION = "jobstream-profile-export"


def _backend_pid(settings: PostgresSettings) -> int:
    with (
        adbc.connect(conninfo(settings, "jobstream-profile-export-watch")) as connection,
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = $1", [_APPLICATION]
        )
        (pid,) = cursor.fetchone()
        return int(pid)


def main(
    database: Annotated[str, typer.Argument(help="a database of the native stack")],
    postings: Annotated[int, typer.Option(help="stop after about this many")] = 200_000,
    out: Annotated[Path | None, typer.Option(help="keep the Parquet file here")] = None,
) -> None:
    settings = PostgresSettings().model_copy(update={"database": database})
    cursor = ExportCursor(
        settings,
        application_name=_APPLICATION,
        names_query=postgres._EXPORT_SKILL_NAMES,
        query=postgres._EXPORT_ALL,
        parameters=None,
        batch=2_000,
    )
    spent = {"read": 0.0, "convert": 0.0, "write": 0.0}
    done = 0
    with tempfile.TemporaryDirectory() as folder:
        path = out or Path(folder) / "all.parquet"
        with path.open("wb") as handle:
            writer = ParquetWriter(handle)
            started = time.perf_counter()
            names = columnar.SkillNames(cursor.open())
            backend = _backend_pid(settings)
            backend_before = cpu_seconds(backend)
            try:
                while done < postings:
                    at = time.process_time()
                    rows = cursor.fetch()
                    spent["read"] += time.process_time() - at
                    if rows is None:
                        break
                    at = time.process_time()
                    batch = columnar.export_batch(rows, names)
                    spent["convert"] += time.process_time() - at
                    at = time.process_time()
                    writer.write(batch)
                    spent["write"] += time.process_time() - at
                    done += batch.num_rows
                backend_used = cpu_seconds(backend) - backend_before
            finally:
                cursor.close()
            writer.close()
            elapsed = time.perf_counter() - started
    per = 1e6 / max(done, 1)
    figures = {stage: round(seconds * per, 1) for stage, seconds in spent.items()}
    print(
        f"{done:,} postings in {elapsed:.1f} s; CPU µs a posting: "
        + ", ".join(f"{stage} {value}" for stage, value in figures.items())
        + f", the export's in all {round(sum(spent.values()) * per, 1)}"
        + f"; its PostgreSQL backend {round(backend_used * per, 1)}"
    )


if __name__ == "__main__":
    typer.run(main)
