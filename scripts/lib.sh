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

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

start_postgres() {
  [ -n "$(pg_bin)" ] || apt_install postgresql
  local bin; bin=$(pg_bin)
  [ -n "$bin" ] || { echo "PostgreSQL could not be installed" >&2; exit 1; }
  PG_DIR=$(mktemp -d /tmp/innbygger-pg.XXXXXX)
  PG_PORT=$(free_port)
  chown postgres:postgres "$PG_DIR" 2>/dev/null || true
  local as=(); [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres >/dev/null
  "${as[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
  "${as[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres innbygger
  PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/innbygger?sslmode=disable"
  echo "PostgreSQL on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  local as=(); [ "$(id -u)" -eq 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$(pg_bin)/pg_ctl" -D "$PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"; PG_DIR=""
}

SERVER_PIDS=()
cleanup() {
  for p in "${SERVER_PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  stop_postgres
}
trap cleanup EXIT
