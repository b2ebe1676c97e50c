#!/usr/bin/env bash
# Idempotent local PostgreSQL + Redis for tests and development (no systemd needed).
# Usage: scripts/services.sh start|stop|status|env
# Works as root (the server runs as the 'postgres' user via runuser) or as a normal user.
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
DEFAULT_PG_PORT=55432
DEFAULT_REDIS_PORT=56379
PG_PORT=${PG_PORT:-$DEFAULT_PG_PORT}
REDIS_PORT=${REDIS_PORT:-$DEFAULT_REDIS_PORT}
# The cluster's state directory follows PG_PORT unless SERVICES_DIR names one, and Redis keeps its files per
# port: services on other ports never find, reuse or stop those of the default ports (another checkout's).
if [ "$PG_PORT" = "$DEFAULT_PG_PORT" ]; then STATE_DIR=${SERVICES_DIR:-/tmp/helpdesk-services}
else STATE_DIR=${SERVICES_DIR:-/tmp/helpdesk-services-$PG_PORT}; fi
DB_NAME=${DB_NAME:-helpdesk}
DB_USER=${DB_USER:-helpdesk}
DB_PASSWORD=${DB_PASSWORD:-helpdesk}

PG_DIR=$STATE_DIR/pg          # owned by the server user; holds data/, socket, log
PGDATA=$PG_DIR/data
if [ "$REDIS_PORT" = "$DEFAULT_REDIS_PORT" ]; then REDIS_DIR=$STATE_DIR/redis; else REDIS_DIR=$STATE_DIR/redis-$REDIS_PORT; fi

if [ "$(id -u)" = 0 ]; then PG_OWNER=postgres; as_pg() { runuser -u postgres -- "$@"; }
else PG_OWNER=$(id -un); as_pg() { "$@"; }; fi

psql_admin() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"; }

pg_running() { [ -s "$PGDATA/PG_VERSION" ] && (cd / && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1); }

start_pg() {
  [ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
  mkdir -p "$STATE_DIR"
  if [ ! -d "$PG_DIR" ]; then install -d -m 0700 -o "$PG_OWNER" "$PG_DIR"; fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    rm -rf "$PGDATA"
    (cd / && as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$PG_DIR/initdb.log" 2>&1) \
      || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  fi
  if ! pg_running; then
    (cd / && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$PG_DIR/postgres.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null) || { tail -n 30 "$PG_DIR/postgres.log" >&2; exit 1; }
  fi
  # role + database (idempotent); CREATEDB so Django's test runner can create test_<name>
  psql_admin -c "DO \$\$BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DB_USER') THEN
        CREATE ROLE \"$DB_USER\" LOGIN CREATEDB PASSWORD '$DB_PASSWORD';
      END IF; END\$\$;"
  if [ -z "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB_NAME'")" ]; then
    psql_admin -c "CREATE DATABASE \"$DB_NAME\" OWNER \"$DB_USER\""
  fi
}

redis_up() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG; }

start_redis() {
  command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
  mkdir -p "$REDIS_DIR"
  if ! redis_up; then
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$REDIS_DIR" \
      --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" --save '' --appendonly no
    for _ in $(seq 1 50); do redis_up && break; sleep 0.1; done
    redis_up || { tail -n 30 "$REDIS_DIR/redis.log" >&2; exit 1; }
  fi
}

print_env() {
  echo "export DATABASE_URL=postgres://$DB_USER:$DB_PASSWORD@127.0.0.1:$PG_PORT/$DB_NAME"
  echo "export CELERY_BROKER_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

case "${1:-start}" in
  start)  start_pg; start_redis; print_env ;;
  stop)
    if pg_running; then (cd / && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null); fi
    if redis_up; then
      redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
      for _ in $(seq 1 50); do redis_up || break; sleep 0.1; done
    fi ;;
  status)
    if pg_running; then echo "postgres: up (127.0.0.1:$PG_PORT)"; else echo "postgres: down"; fi
    if redis_up; then echo "redis: up (127.0.0.1:$REDIS_PORT)"; else echo "redis: down"; fi ;;
  env)    print_env ;;
  *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
