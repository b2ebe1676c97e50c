#!/usr/bin/env bash
# `make run`: a Celery worker with embedded beat in the background, Django's development server in
# the foreground. Ctrl+C (or any exit) stops the worker too.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG="${DEBUG:-1}"
PORT="${PORT:-8000}"
mkdir -p var

.venv/bin/celery -A helpdesk worker -B --loglevel=info --schedule var/celerybeat-schedule &
worker=$!

stop_worker() {
  kill -TERM "$worker" 2>/dev/null || return 0
  # A warm shutdown finishes the running task; give it 10 s, then stop it hard.
  for _ in $(seq 1 100); do kill -0 "$worker" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$worker" 2>/dev/null || true
  wait "$worker" 2>/dev/null || true
}
trap stop_worker EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== serving http://127.0.0.1:$PORT/ (Ctrl+C stops the server and the worker)"
.venv/bin/python manage.py runserver "127.0.0.1:$PORT"
