#!/bin/sh
# The query API's read-only role (the native stack makes it in jobstream_stack/postgres.py).
# Migrations grant it SELECT on every table and view (jobstream_store/migrate.py); every
# transaction it opens is read-only unless it asks otherwise.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v reader="${JOBSTREAM_PG_READER_USER:-jobstream_reader}" \
     -v password="${JOBSTREAM_PG_READER_PASSWORD:-jobstream_reader}" <<'SQL'
CREATE ROLE :"reader" LOGIN PASSWORD :'password';
ALTER ROLE :"reader" SET default_transaction_read_only = on;
SQL
