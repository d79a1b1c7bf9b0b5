"""An export's read of PostgreSQL: rows straight into Arrow columns (ADBC's libpq driver).

The driver reads PostgreSQL's binary rows into Arrow arrays in C++: no text to format on the
server (timestamps, numbers, arrays) and none to parse here, no Python object a posting. One
read-only REPEATABLE READ transaction holds the export, so that the skills' names read first
and every batch see the same snapshot. Two ways to read the rows, both in batches (constant
memory):

- every posting (no filter: a statement with no parameter): one `COPY ... TO STDOUT (FORMAT
  binary)` that PostgreSQL streams while the batches before are converted and written, in
  the order of the newest-first index read backwards (sorting every posting first would
  spill to disk and send nothing until done);
- a filter: a cursor declared with the filter's values as bind parameters (COPY takes none),
  `FETCH`ed a batch at a time.

Blocking: call it from a thread (`PostgresReadModel.export`), one call at a time (a lock
keeps `close` from running beside a fetch still under way).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Final

import pyarrow as pa

from jobstream.settings import PostgresSettings

# The filtered export's cursor; the statement that declares it names it so.
CURSOR: Final = "export"
# The COPY stream comes in batches of about this many bytes a row asked for (the driver's
# estimate: a posting's row is ~6 KB), cut to the rows asked for at most.
_COPY_ROW_BYTES: Final = 6_000


def conninfo(settings: PostgresSettings, application_name: str) -> str:
    """libpq's keyword/value connection string as the reader. It holds the password: never
    log it (libpq's errors do not repeat it)."""
    kwargs = settings.reader_connect_kwargs()
    values = {
        "host": kwargs["host"],
        "port": kwargs["port"],
        "dbname": kwargs["database"],
        "user": kwargs["user"],
        "password": kwargs["password"],
        "application_name": application_name,
    }
    return " ".join(f"{key}={_quoted(str(value))}" for key, value in values.items())


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


class ExportCursor:
    """`open()` reads the skills' names and starts the rows; `fetch()` gives the next batch
    (None: done); `close()` ends the transaction and the connection (at once, also when the
    rows were not all read).

    `parameters` None: `query` has no parameter and is streamed by COPY; otherwise `query`
    declares the cursor CURSOR (`DECLARE export NO SCROLL CURSOR FOR ...`) with them, and it
    is fetched `batch` rows at a time."""

    def __init__(
        self,
        settings: PostgresSettings,
        *,
        application_name: str,
        names_query: str,
        query: str,
        parameters: Sequence[Any] | None,
        batch: int,
    ) -> None:
        self._conninfo = conninfo(settings, application_name)
        self._names_query = names_query
        self._query = query
        self._parameters = None if parameters is None else list(parameters)
        self._batch = int(batch)
        # FETCH takes no bind parameter: the count is written in, an int.
        self._fetch = f"FETCH FORWARD {self._batch:d} FROM {CURSOR}"
        self._lock = threading.Lock()
        self._connection: Any = None
        self._cursor: Any = None
        self._stream: pa.RecordBatchReader | None = None  # COPY's batches
        self._rest: pa.RecordBatch | None = None  # of the last, beyond `batch` rows
        self._done = False

    def open(self) -> pa.Table:
        """Connect, take the snapshot, start the rows: the skills table (`names_query`)."""
        # Imported here: the driver takes ~0.1 s to import, which the service and `jobstream
        # search` (importing this module with the read model) need not pay.
        import adbc_driver_postgresql
        import adbc_driver_postgresql.dbapi as adbc

        with self._lock:
            self._connection = adbc.connect(self._conninfo, autocommit=False)
            cursor = self._cursor = self._connection.cursor()
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            # No statement timeout: an export reads everything, as fast as it is written.
            # No JIT: its compile time buys nothing here.
            cursor.execute("SET LOCAL statement_timeout = 0")
            cursor.execute("SET LOCAL jit = off")
            cursor.execute(self._names_query)
            names: pa.Table = cursor.fetch_arrow_table()
            options = adbc_driver_postgresql.StatementOptions
            if self._parameters is None:
                # In the index's order, by this backend alone, streamed as it is read.
                cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
                cursor.adbc_statement.set_options(
                    **{options.BATCH_SIZE_HINT_BYTES.value: str(self._batch * _COPY_ROW_BYTES)}
                )
                cursor.execute(self._query)
                self._stream = cursor.fetch_record_batch()
            else:
                cursor.execute(self._query, self._parameters)
                # FETCH cannot be wrapped in a COPY: its rows come as a result set.
                cursor.adbc_statement.set_options(**{options.USE_COPY.value: "false"})
            return names

    def fetch(self) -> pa.RecordBatch | None:
        """The next batch of rows, or None after the last."""
        with self._lock:
            if self._done:
                return None
            if self._stream is not None:
                if self._rest is None:
                    try:
                        self._rest = self._stream.read_next_batch()
                    except StopIteration:
                        self._done = True
                        return None
                batch, rest = self._rest[: self._batch], self._rest[self._batch :]
                self._rest = rest if rest.num_rows else None
                return batch
            self._cursor.execute(self._fetch)
            table: pa.Table = self._cursor.fetch_arrow_table()
            if table.num_rows == 0:
                self._done = True
                return None
            (batch,) = table.combine_chunks().to_batches()
            return batch

    def close(self) -> None:
        with self._lock:
            connection, self._connection = self._connection, None
            if connection is None:
                return
            try:
                if self._stream is not None and not self._done:
                    # left early: PostgreSQL stops sending (the connection goes with it)
                    connection.adbc_cancel()
                    self._stream.close()
                elif self._done:
                    connection.rollback()  # read only: nothing to keep
            finally:
                self._stream = self._rest = None
                try:
                    self._cursor.close()
                finally:
                    connection.close()
