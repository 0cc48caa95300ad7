# pacm. On a fresh clone with Python 3.11:
#   make run    create .venv, install, migrate, load the demo data, serve http://127.0.0.1:8000
#   make test   the whole suite on the embedded defaults (SQLite, Celery eager, Chromium if present)
# More: make test-services, make timers, make worker, make beat, make bench, make chaos, make lint,
#       make check-deploy (Django's deployment checks under the production settings, README "Deployment").

SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements.stamp
MANAGE := $(BIN)/python manage.py

HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist processes for `make test` (0 runs everything in one process).
PYTEST_WORKERS ?= 2
PYTEST_FLAGS := -q -rfEs

# `make test-services`: PostgreSQL and Redis on this machine unless told otherwise.
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/pacm
CELERY_BROKER_URL ?= redis://127.0.0.1:6379/0
# One name per run for the test databases and the worker's queue, so two runs on one machine
# never share a database or steal each other's tasks.
ifeq ($(origin PACM_TEST_DB_NAME),undefined)
PACM_TEST_DB_NAME := pacm_ci_$(shell date +%s)_$(shell echo $$PPID)
endif
WORKER_LOG ?= celery-worker.log

.PHONY: run serve test test-services timers worker beat bench lint install check-deploy fonts messages compilemessages gettext

# Development: DEBUG on (the development secret key, http, local hosts) unless DJANGO_DEBUG is set.
# Outside DEBUG and the tests, pacm/settings.py refuses to start without a real DJANGO_SECRET_KEY.
run timers worker beat lint: export DJANGO_DEBUG ?= true

install: $(STAMP) fonts compilemessages

# --- Languages (pacm issue 9; README "Languages", docs/developing.md "Languages") -----------------
# `make messages`: the catalogs locale/<lang>/LC_MESSAGES/django.po refreshed from the marked strings
# of the code and the templates (GNU gettext's xgettext, via Django's makemessages); messages no
# longer in the code are dropped. `make compilemessages`: the .mo files Django reads (not committed:
# `make install` makes them, and the test session does when they are missing or older than the .po).
LOCALES := zh_Hans fr es
MESSAGES_IGNORE := --ignore=.venv --ignore=bench --ignore=tests --ignore=node_modules --ignore=staticfiles \
	--ignore=media --ignore=test-results
gettext:
	@if command -v msgfmt >/dev/null && command -v xgettext >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "== installing Debian's gettext (the translation catalogs)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq gettext >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq gettext >/dev/null; }; \
	else echo "The translation catalogs need GNU gettext: sudo apt-get install gettext" >&2; exit 1; fi

messages: $(STAMP) gettext
	DJANGO_DEBUG=true $(MANAGE) makemessages $(addprefix -l ,$(LOCALES)) --no-obsolete $(MESSAGES_IGNORE)

compilemessages: $(STAMP) gettext
	DJANGO_DEBUG=true $(MANAGE) compilemessages $(addprefix -l ,$(LOCALES)) $(MESSAGES_IGNORE)

# The CJK font of the generated PDFs (projects/certificates, README "Fonts"): Debian's fonts-wqy-zenhei,
# found by fontconfig, never fetched; and Pango, which WeasyPrint draws text with. Installed when run as
# root on Debian; otherwise says how, and fails only with PACM_REQUIRE_CJK_FONT set (.ci/run sets it:
# CI never skips the font test).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc
PDF_PACKAGES := fonts-wqy-zenhei libpango-1.0-0 libpangoft2-1.0-0
fonts:
	@if [ -f $(CJK_FONT) ] && /sbin/ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "== installing Debian's fonts-wqy-zenhei (Chinese text in the generated PDFs)"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq $(PDF_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; }; \
	else \
		echo "The generated PDFs need Debian's $(PDF_PACKAGES): sudo apt-get install $(PDF_PACKAGES)" >&2; \
		[ -z "$$PACM_REQUIRE_CJK_FONT" ] || exit 1; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# pip runs again only when requirements.txt changes.
$(STAMP): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $@

run: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@echo "Serving http://$(HOST):$(PORT)/ (admin: /admin/). Celery runs eagerly in this process;"
	@echo "timers fire with 'make timers' in another terminal (or 'make worker' + 'make beat' with Redis)."
	exec $(MANAGE) runserver $(HOST):$(PORT)

# Serving as in production (pacm issue 8; README "Serving"): gunicorn with GUNICORN_WORKERS workers,
# database connections kept DATABASE_CONN_MAX_AGE seconds, static files collected and served by whitenoise.
# Outside DEBUG it needs DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS (README "Deployment").
GUNICORN_WORKERS ?= 3
serve: export DATABASE_CONN_MAX_AGE ?= 60
serve: $(STAMP)
	$(MANAGE) migrate --noinput
	$(MANAGE) collectstatic --noinput -v 0
	exec $(BIN)/gunicorn pacm.wsgi:application --bind $(HOST):$(PORT) --workers $(GUNICORN_WORKERS) \
		--access-logfile - --graceful-timeout 20 $(GUNICORN_ARGS)

# The embedded defaults whatever the shell has set: SQLite in memory, Celery eager.
test: $(STAMP) compilemessages
	env -u DATABASE_URL -u CELERY_BROKER_URL -u CELERY_RESULT_BACKEND -u PACM_TEST_DB_NAME \
		$(BIN)/pytest $(PYTEST_FLAGS) -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# 1. the suite (all but the worker tests) on PostgreSQL, Celery eager as the tests expect;
# 2. the worker tests with a real Celery worker on Redis, sharing the test database
#    PACM_TEST_DB_NAME with the tests (the worker's DATABASE_URL names it).
# Both parts run; the target fails if either does. A missing service stops it at once.
# PACM_TESTING=1: the worker and `celery inspect` load the settings as the tests do (no secret key).
test-services: $(STAMP) compilemessages
	@set -euo pipefail; \
	export DATABASE_URL='$(DATABASE_URL)' PACM_TEST_DB_NAME='$(PACM_TEST_DB_NAME)'; \
	export CELERY_BROKER_URL='$(CELERY_BROKER_URL)' CELERY_TASK_DEFAULT_QUEUE='$(PACM_TEST_DB_NAME)'; \
	export PACM_TESTING=1; \
	unset CELERY_RESULT_BACKEND; \
	$(BIN)/python -c "$$SERVICES_CHECK"; \
	worker_db_url=$$($(BIN)/python -c "$$WORKER_DATABASE_URL"); \
	worker=""; \
	cleanup() { \
		if [ -n "$$worker" ]; then kill -TERM "$$worker" 2>/dev/null || true; wait "$$worker" 2>/dev/null || true; fi; \
		$(BIN)/python -c "$$CLEAN_UP" || true; \
	}; \
	trap cleanup EXIT; \
	echo "== test-services 1/2: the suite on PostgreSQL ($$PACM_TEST_DB_NAME*)"; \
	status=0; \
	env -u CELERY_BROKER_URL $(BIN)/pytest $(PYTEST_FLAGS) -n $(PYTEST_WORKERS) -m "not worker" $(PYTEST_ARGS) || status=$$?; \
	echo "== test-services 2/2: worker tests with a real Celery worker (log: $(WORKER_LOG))"; \
	env -u PACM_TEST_DB_NAME DATABASE_URL="$$worker_db_url" $(BIN)/celery -A pacm worker --loglevel=warning --concurrency=2 --pool=prefork \
		-Q "$$CELERY_TASK_DEFAULT_QUEUE" -n "$$PACM_TEST_DB_NAME@%h" >"$(WORKER_LOG)" 2>&1 & worker=$$!; \
	for i in $$(seq 1 60); do \
		if $(BIN)/celery -A pacm inspect ping -d "$$PACM_TEST_DB_NAME@$$(hostname)" -t 1 >/dev/null 2>&1; then break; fi; \
		if ! kill -0 "$$worker" 2>/dev/null || [ "$$i" = 60 ]; then \
			echo "The Celery worker did not start:" >&2; tail -n 30 "$(WORKER_LOG)" >&2; exit 1; fi; \
		sleep 1; \
	done; \
	PACM_REQUIRE_WORKER=1 $(BIN)/pytest $(PYTEST_FLAGS) -n 0 -m worker $(PYTEST_ARGS) || status=$$?; \
	exit $$status

timers: $(STAMP)
	$(MANAGE) run_timers

# A real worker and the beat scheduler (timers every minute) on Redis: run each in its own
# terminal, and start the web server with the same CELERY_BROKER_URL.
worker: $(STAMP)
	CELERY_BROKER_URL='$(CELERY_BROKER_URL)' $(BIN)/celery -A pacm worker --loglevel=info

beat: $(STAMP)
	CELERY_BROKER_URL='$(CELERY_BROKER_URL)' $(BIN)/celery -A pacm beat --loglevel=info

# `make bench` (docs/benchmarks.md): the CDM-scale workload (5,000 activities, 20,000 issuances,
# 100,000 transfers, 50 full cycles) on the embedded default (a temporary SQLite file, Celery
# eager), then on PostgreSQL (database pacm_bench, dropped and recreated) with Redis db 2 and a
# Celery worker of its own; prints both tables, writes bench/results/<backend>.json. About 35
# minutes on an idle 2-core machine. Options for bench/run.py go in BENCH_ARGS, e.g. BENCH_ARGS="--scale 0.5".
# `make bench-quick`: 10x smaller (a few minutes). `make bench-sqlite` / `make bench-postgres`: one backend.
# `make bench-floor`: only pacm's issuance and transfer against the bare-SQL floor (bench/floor.py) on
# PostgreSQL (database pacm_bench_floor, recreated), alternating; writes bench/results/floor.json. A few minutes.
.PHONY: bench-quick bench-sqlite bench-postgres bench-floor
# `make bench-plan`: a year of the SB's business plan (A6.4-INFO-GOV-024 table 2; bench/business_plan.py)
# through the services, on the embedded default, without the bulk phases; BENCH_ARGS="--plan-year 2027".
.PHONY: bench-plan
bench-plan: $(STAMP)
	$(BIN)/python bench/run.py --plan-only --backend sqlite $(BENCH_ARGS)

bench-floor: $(STAMP)
	$(BIN)/python bench/run.py --floor-only $(BENCH_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-quick: $(STAMP)
	$(BIN)/python bench/run.py --quick $(BENCH_ARGS)

bench-sqlite: $(STAMP)
	$(BIN)/python bench/run.py --backend sqlite $(BENCH_ARGS)

bench-postgres: $(STAMP)
	$(BIN)/python bench/run.py --backend postgres $(BENCH_ARGS)

# `make bench-pages` (docs/benchmarks.md "Pages"): every page type under load as in production. Builds
# (or reuses: a database per set of parameters, pacm_bench_pages_<hash>) the full world on PostgreSQL
# and a 10% one, opens each page alone (SQL statements, bytes, time), serves it with gunicorn
# (GUNICORN_WORKERS workers, persistent connections, whitenoise) on a free port, runs locust headless
# (20 users, 1-3 s think time) and writes bench/results/pages.json; stops all it started.
# locust comes from requirements-bench.txt. Quick: make bench-pages BENCH_ARGS="--scale 0.1 --duration 30 --growth-scale 0"
.PHONY: bench-pages
BENCH_STAMP := $(VENV)/.requirements-bench.stamp
$(BENCH_STAMP): requirements-bench.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-bench.txt
	touch $@

bench-pages: $(STAMP) $(BENCH_STAMP)
	$(BIN)/python bench/pages.py $(BENCH_ARGS)

# `make chaos` (docs/reliability.md): transfers, uses and issuances through gunicorn, a Celery worker
# and beat on PostgreSQL (database pacm_chaos, dropped and recreated) and Redis db 3, while PostgreSQL,
# Redis and the worker restart; then every request is matched with the ledger and the chains are
# verified. It RESTARTS the machine's PostgreSQL and Redis: never beside other test runs, never in CI.
# `make chaos-dry`: the same load, only the run's own worker restarts. Options: CHAOS_ARGS="--duration 30".
.PHONY: chaos chaos-dry
chaos: $(STAMP)
	$(BIN)/python bench/chaos.py $(CHAOS_ARGS)

chaos-dry: $(STAMP)
	$(BIN)/python bench/chaos.py --no-restarts $(CHAOS_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check pacm projects methodologies tests bench
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

# Django's deployment checks (`check --deploy`), failing on any warning, under the production
# settings of README "Deployment": DEBUG off, outside the tests. Your shell's DJANGO_* values are
# used; where DJANGO_SECRET_KEY or DJANGO_ALLOWED_HOSTS is unset, a random key and the README's
# example host stand in.
check-deploy: $(STAMP)
	@set -euo pipefail; \
	export DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}"; \
	export DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-pacm.example.org}"; \
	env -u DJANGO_DEBUG -u PACM_TESTING $(MANAGE) check --deploy --fail-level WARNING

define SERVICES_CHECK
import os, sys
import dj_database_url, psycopg, redis
db = dj_database_url.parse(os.environ["DATABASE_URL"])
problems = []
if db["ENGINE"] != "django.db.backends.postgresql":
    problems.append("DATABASE_URL is not a PostgreSQL URL: " + os.environ["DATABASE_URL"])
else:
    try:
        psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                        password=db["PASSWORD"] or None, dbname="postgres", connect_timeout=5).close()
    except Exception as error:
        problems.append(f"PostgreSQL is not reachable at {db['HOST'] or 'localhost'}:{db['PORT'] or 5432}: {error}")
try:
    redis.Redis.from_url(os.environ["CELERY_BROKER_URL"], socket_connect_timeout=5).ping()
except Exception as error:
    problems.append(f"Redis is not reachable at {os.environ['CELERY_BROKER_URL']}: {error}")
if problems:
    sys.exit("make test-services: a service is missing\n  " + "\n  ".join(problems))
print("PostgreSQL and Redis reachable.")
endef
export SERVICES_CHECK

define WORKER_DATABASE_URL
import os, urllib.parse as u
url = u.urlsplit(os.environ["DATABASE_URL"])
print(u.urlunsplit(url._replace(path="/" + os.environ["PACM_TEST_DB_NAME"])))
endef
export WORKER_DATABASE_URL

define CLEAN_UP
import os
import dj_database_url, psycopg, redis
queue = os.environ["CELERY_TASK_DEFAULT_QUEUE"]
redis.Redis.from_url(os.environ["CELERY_BROKER_URL"], socket_connect_timeout=5).delete(queue, "_kombu.binding." + queue, "_kombu.binding_permanent." + queue)
db, name = dj_database_url.parse(os.environ["DATABASE_URL"]), os.environ["PACM_TEST_DB_NAME"]
with psycopg.connect(host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
                     password=db["PASSWORD"] or None, dbname="postgres", autocommit=True) as conn:
    rows = conn.execute("SELECT datname FROM pg_database WHERE datname = %s OR datname ~ %s", [name, f"^{name}_gw[0-9]+$$"])
    left = [row[0] for row in rows]
    for datname in left:
        conn.execute(f'DROP DATABASE IF EXISTS "{datname}" WITH (FORCE)')
endef
export CLEAN_UP
