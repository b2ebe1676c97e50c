# The help desk's two commands:
#   make run    install, migrate, seed demo data and serve http://127.0.0.1:8000 with a Celery worker and beat
#   make test   install what is missing, start PostgreSQL and Redis, run the checks and the whole test suite
# .ci/run calls `make test` and nothing else.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
# One shell per recipe, so a recipe reads as a script and `set -e` covers all of it.
.ONESHELL:
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules

VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
SYSTEM_PACKAGES := postgresql redis-server chromium chromium-driver dovecot-imapd

.PHONY: help run test bench drills system-packages venv deps test-deps services services-stop shell clean

help:
	@echo "make run            serve http://127.0.0.1:8000 (SQLite and a filesystem broker unless DATABASE_URL/CELERY_BROKER_URL are set)"
	@echo "make test           checks and the whole test suite on PostgreSQL and Redis (installs what is missing)"
	@echo "make bench          seed PostgreSQL at BENCH_SCALE (default 1.0: 1M conversations) and measure; SCALE=0.01 for a quick run"
	@echo "make drills         cross-post 5,000 notes while the worker is SIGKILLed and Redis is down; 0 lost, 0 duplicated"
	@echo "make services       start the local PostgreSQL and Redis used by the tests, print their URLs"
	@echo "make services-stop  stop them"
	@echo "make shell          Django shell"
	@echo "make clean          remove var/, staticfiles/ and .venv"

# Development server in the foreground, Celery worker with embedded beat in the background (scripts/run.sh).
run: deps
	@export DEBUG="$${DEBUG:-1}"
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	exec scripts/run.sh

test: system-packages test-deps
	@t0=$$SECONDS
	step() { echo "== [$$((SECONDS - t0))s] $$*"; }
	step "pip check"
	$(PIP) check
	step "services: PostgreSQL and Redis"
	# Not `eval "$$(...)"` directly: eval of an empty string succeeds, and the suite would run on SQLite.
	services_env=$$(scripts/services.sh start)
	eval "$$services_env"
	case "$${DATABASE_URL:-}" in postgres*) ;; *) echo "DATABASE_URL is not PostgreSQL: '$${DATABASE_URL:-}'" >&2; exit 1 ;; esac
	echo "DATABASE_URL=$$DATABASE_URL CELERY_BROKER_URL=$$CELERY_BROKER_URL"
	export SECRET_KEY="test-only-secret-key-not-for-any-deployment"
	step "lint and types"
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	step "django checks"
	$(PY) manage.py check --fail-level WARNING
	$(PY) manage.py makemigrations --check --dry-run
	# Production settings: any deploy warning fails the build.
	env DEBUG=0 HTTPS=1 ALLOWED_HOSTS=example.com \
	  SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	  $(PY) manage.py check --deploy --fail-level WARNING
	step "collectstatic with hashed names, as the production image does"
	export STATIC_ROOT="$$PWD/var/test-static"
	rm -rf "$$STATIC_ROOT"
	STATIC_MANIFEST=1 $(PY) manage.py collectstatic --no-input -v0
	step "pytest on SQLite, the default of make run: its migrations, triggers, inbox pages, simpler search and the API"
	DATABASE_URL="sqlite:///$$PWD/var/test-sqlite.sqlite3" $(VENV)/bin/pytest -q \
	  tests/helpdesk/test_counters.py tests/helpdesk/test_pagination.py tests/helpdesk/test_seed_demo.py tests/inbox/test_inbox_pages.py \
	  tests/inbox/test_inbox_pagination.py tests/inbox/test_conversation_actions.py \
	  tests/helpdesk/test_search.py tests/helpdesk/test_search_page.py tests/tickets/test_api.py tests/inbox/test_api.py
	step "pytest (PostgreSQL, Redis)"
	rc=0
	$(VENV)/bin/pytest || rc=$$?
	if [ "$$rc" -eq 5 ]; then
	  echo "pytest collected no tests: the suite must never run nothing; failing." >&2
	  exit 1
	fi
	step "done (pytest exit code $$rc)"
	exit "$$rc"

# Benchmarks (bench/): on the services' PostgreSQL (PG_PORT etc., as scripts/services.sh env prints them), in a
# database of their own per scale that they create and mark, and a Redis of their own (BENCH_REDIS_PORT); they
# refuse any database they did not create and never use DATABASE_URL or the services' Redis (bench/owned.py).
# `make bench SCALE=0.01` for a quick run; results in bench/results.json (bench/results-<scale>.json). BENCH_ONLY (e.g.
# live,page_loads) measures only those parts and keeps the other figures; env of each part: bench/*.py docstrings.
SCALE ?= 1.0
DRILL_SCALE ?= 0.01
bench: system-packages deps
	@scripts/services.sh start >/dev/null
	export BENCH_SCALE=$(SCALE)
	$(PY) bench/seed.py
	$(PY) bench/measure.py

# Fault drills, bounded in time (DRILL_TIME_CAP, 600 s): loopback only; they stop their own Redis for 30 s and
# start it again (tests/bench/test_bench_safety.py runs this target with other ports and a foreign DATABASE_URL).
drills: system-packages deps
	@scripts/services.sh start >/dev/null
	export BENCH_SCALE=$(DRILL_SCALE)
	$(PY) bench/seed.py
	$(PY) bench/drills.py

# Debian packages the tests need; apt runs only when one is missing.
system-packages:
	@if ! command -v dpkg-query >/dev/null; then
	  echo "not a Debian system: install $(SYSTEM_PACKAGES) yourself" >&2; exit 0
	fi
	need=()
	for p in $(SYSTEM_PACKAGES); do
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || need+=("$$p")
	done
	if [ $${#need[@]} -gt 0 ]; then
	  echo "== installing $${need[*]}"
	  sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo
	  export DEBIAN_FRONTEND=noninteractive
	  $$sudo apt-get update -qq
	  $$sudo apt-get install -y -qq --no-install-recommends "$${need[@]}"
	fi

# A virtualenv on Python >= 3.12 (Django 6 needs it; Debian 12's python3 is 3.11). The pyenv shims
# (python3.12, python3.13) fail when called directly, so every candidate is tried by running it.
venv:
	@if [ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then exit 0; fi
	pyenv_root=$$(pyenv root 2>/dev/null || true)
	py=""
	for c in python3.14 python3.13 python3.12 \
	    $$(ls -d "$$pyenv_root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV) python3; do
	  if "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
	    py=$$(command -v "$$c"); break
	  fi
	done
	if [ -z "$$py" ]; then echo "no Python >= 3.12 found (Django 6 needs it)" >&2; exit 1; fi
	echo "== creating $(VENV) with $$py ($$("$$py" --version))"
	rm -rf $(VENV)
	"$$py" -m venv $(VENV)

# Reinstall only when pyproject.toml changed since the last install into this venv.
deps: venv
	@stamp=$(VENV)/.installed-runtime
	if [ ! -f "$$stamp" ] || [ pyproject.toml -nt "$$stamp" ]; then
	  echo "== pip install -e . (runtime dependencies from pyproject.toml)"
	  $(PIP) install -q -e .
	  touch "$$stamp"
	fi

test-deps: venv
	@stamp=$(VENV)/.installed-test
	if [ ! -f "$$stamp" ] || [ pyproject.toml -nt "$$stamp" ]; then
	  echo "== pip install -e '.[test]' (runtime and test dependencies from pyproject.toml)"
	  $(PIP) install -q -e '.[test]'
	  touch "$$stamp" $(VENV)/.installed-runtime
	fi

services:
	@scripts/services.sh start

services-stop:
	@scripts/services.sh stop

shell: deps
	@export DEBUG="$${DEBUG:-1}"
	$(PY) manage.py shell

clean:
	rm -rf var staticfiles $(VENV)
