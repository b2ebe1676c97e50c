#!/usr/bin/env bash
# `make run`: a Celery worker with embedded beat and the local SMTP server in the background, uvicorn serving
# Django's ASGI application in the foreground (reloading on code changes). Ctrl+C (or any exit) stops them all. ASGI, not runserver: with
# Redis, each tab holds a server-sent-events stream (an async view), which a WSGI server would read to its end
# before sending anything.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
PORT="${PORT:-8000}"
mkdir -p var

# Started again whenever it exits: on Redis, the worker sometimes exits when the broker goes away (README,
# Production); nothing is lost by it, the outbox sweep re-enqueues what was pending.
(
  child=
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child" 2>/dev/null; exit 0' TERM
  while true; do
    .venv/bin/celery -A helpdesk worker -B --loglevel=info --schedule var/celerybeat-schedule &
    child=$!
    wait "$child" || true
    echo "== the Celery worker exited; starting it again in 2 s" >&2
    sleep 2
  done
) &
worker=$!

# The local SMTP server: mail sent to 127.0.0.1:$SMTP_PORT (2525) opens conversations (inbox/mail/smtp.py).
.venv/bin/python manage.py serve_smtp &
smtp=$!

stop_worker() {
  kill -TERM "$smtp" 2>/dev/null || true
  kill -TERM "$worker" 2>/dev/null || return 0
  # A warm shutdown finishes the running task; give it 10 s, then stop it hard.
  for _ in $(seq 1 100); do kill -0 "$worker" 2>/dev/null || break; sleep 0.1; done
  pkill -KILL -P "$worker" 2>/dev/null || true
  kill -KILL "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== serving http://127.0.0.1:$PORT/ (Ctrl+C stops the server and the worker)"
.venv/bin/uvicorn helpdesk.asgi:application --host 127.0.0.1 --port "$PORT" --reload \
  --reload-dir helpdesk --reload-dir inbox --reload-dir tickets --reload-dir workflows
