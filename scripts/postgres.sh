#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite, on a loopback port.
#
#   scripts/postgres.sh          install Debian's postgresql if missing, create and start a cluster,
#                                print its URL (postgresql://supportops@127.0.0.1:54329/supportops)
#   scripts/postgres.sh stop     stop the cluster
#   scripts/postgres.sh url      print the URL only
#
# Idempotent: a running cluster is reused. Settings: SUPPORTOPS_PG_PORT (54329) and
# SUPPORTOPS_PG_DIR (/tmp/supportops-pg). The server runs as the `postgres` user (via runuser)
# and listens on 127.0.0.1 only, with trust authentication for local test use.
set -euo pipefail

PORT="${SUPPORTOPS_PG_PORT:-54329}"
DIR="${SUPPORTOPS_PG_DIR:-/tmp/supportops-pg}"
DATA="$DIR/data"
LOG="$DIR/server.log"
DB=supportops
USER_NAME=supportops
URL="postgresql://${USER_NAME}@127.0.0.1:${PORT}/${DB}"

as_postgres() { runuser -u postgres -- "$@"; }

pg_bin() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  if [[ -z "$found" ]]; then
    echo "postgres.sh: PostgreSQL is not installed; installing Debian's postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq postgresql >&2
    found="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  fi
  echo "$found"
}

is_running() { [[ -f "$DATA/postmaster.pid" ]] && as_postgres "$BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

init_cluster() {
  mkdir -p "$DIR"
  chown postgres:postgres "$DIR"
  if [[ ! -f "$DATA/PG_VERSION" ]]; then
    as_postgres "$BIN/initdb" -D "$DATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $PORT"
      echo "unix_socket_directories = '$DIR'"
      echo "fsync = off"
      echo "synchronous_commit = off"
      echo "full_page_writes = off"
      echo "timezone = 'UTC'"
    } >>"$DATA/postgresql.conf"
  fi
}

start_cluster() {
  as_postgres "$BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
  local psql=("$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -qtA)
  if [[ -z "$(as_postgres "${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname = '$USER_NAME'")" ]]; then
    as_postgres "${psql[@]}" -c "CREATE ROLE $USER_NAME LOGIN SUPERUSER" >/dev/null
  fi
  if [[ -z "$(as_postgres "${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname = '$DB'")" ]]; then
    as_postgres "${psql[@]}" -c "CREATE DATABASE $DB OWNER $USER_NAME" >/dev/null
  fi
}

case "${1:-start}" in
  start)
    BIN="$(pg_bin)"
    init_cluster
    is_running || start_cluster
    echo "$URL"
    ;;
  stop)
    BIN="$(pg_bin)"
    if is_running; then as_postgres "$BIN/pg_ctl" -D "$DATA" -m fast -w stop >/dev/null; fi
    ;;
  url)
    echo "$URL"
    ;;
  *)
    echo "usage: $0 [start|stop|url]" >&2
    exit 64
    ;;
esac
