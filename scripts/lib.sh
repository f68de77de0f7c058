# Shared helpers for the scripts. Everything started here is stopped by the EXIT trap.
set -euo pipefail

section() { printf '\n==> %s\n' "$*"; }

apt_install() {
  if [ "$(id -u)" -ne 0 ]; then echo "missing Debian packages; install: $*" >&2; exit 1; fi
  section "Installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# need_apt <command> <package>…: installs the Debian packages when the command is missing.
need_apt() {
  local cmd=$1; shift
  command -v "$cmd" >/dev/null 2>&1 || apt_install "$@"
}

PG_DIR=""
PG_PORT=""
PG_URL=""
PG_OWN_DB=""

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

pg_as() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

# start_postgres: a database of its own in a throwaway PostgreSQL cluster on 127.0.0.1 and a random port; sets
# PG_URL. Within scripts/test the whole run shares one cluster (INNBYGGER_PG_PORT, exported by the first caller) and
# each caller gets a new database in it; a script run by itself starts and later stops a cluster of its own.
start_postgres() {
  [ -n "$(pg_bin)" ] || apt_install postgresql
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] || { echo "PostgreSQL could not be installed" >&2; exit 1; }
  if [ -z "${INNBYGGER_PG_PORT:-}" ]; then
    PG_DIR=$(mktemp -d /tmp/innbygger-pg.XXXXXX)
    PG_PORT=$(free_port)
    chown postgres:postgres "$PG_DIR" 2>/dev/null || true
    pg_as "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
    # The test suite runs several apps at once, each with a pool and a database of its own.
    pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=400" start >/dev/null
    echo "PostgreSQL on 127.0.0.1:$PG_PORT"
  else
    PG_PORT=$INNBYGGER_PG_PORT
  fi
  PG_OWN_DB="innbygger_$(date +%s%N)_$$"
  pg_as "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$PG_OWN_DB"
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/$PG_OWN_DB?sslmode=disable"
}

# stop_postgres: drops the caller's database, and stops the cluster if the caller started it.
stop_postgres() {
  if [ -n "$PG_OWN_DB" ] && [ -n "$PG_PORT" ]; then
    pg_as "$(pg_bin)/dropdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres --force --if-exists "$PG_OWN_DB" >/dev/null 2>&1 || true
    PG_OWN_DB=""
  fi
  [ -n "$PG_DIR" ] || return 0
  pg_as "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"; PG_DIR=""
}

SERVER_PIDS=()
cleanup() {
  for p in "${SERVER_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  stop_postgres
}
trap cleanup EXIT
