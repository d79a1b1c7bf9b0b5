#!/bin/sh
# Runs once, when the postgres container initialises an empty data volume (the image runs
# /docker-entrypoint-initdb.d/*.sh as the superuser). The same roles as the native stack:
#   jobstream_owner  owns the database and migrates (the one-shot `migrate` service)
#   jobstream        the services: reads and writes rows, cannot change the schema
#   jobstream_reader read-only (default_transaction_read_only), for readers of the data
#   jobstream_monitor postgres_exporter's: pg_monitor (statistics) only, read-only too
# Names and passwords come from the JOBSTREAM_PG_* variables compose passes in. Values are
# quoted by the server (format %I / %L), never pasted into SQL by the shell.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner="$JOBSTREAM_PG_OWNER_USER" -v owner_password="$JOBSTREAM_PG_OWNER_PASSWORD" \
  -v service="$JOBSTREAM_PG_USER" -v service_password="$JOBSTREAM_PG_PASSWORD" \
  -v reader="$JOBSTREAM_PG_READER_USER" -v reader_password="$JOBSTREAM_PG_READER_PASSWORD" \
  -v monitor="$JOBSTREAM_PG_MONITOR_USER" -v monitor_password="$JOBSTREAM_PG_MONITOR_PASSWORD" \
  -v database="$JOBSTREAM_PG_DATABASE" <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'owner', :'owner_password') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'service', :'service_password') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'reader', :'reader_password') \gexec
SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', :'reader') \gexec
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'monitor', :'monitor_password') \gexec
SELECT format('GRANT pg_monitor TO %I', :'monitor') \gexec
SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', :'monitor') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner') \gexec
SQL
