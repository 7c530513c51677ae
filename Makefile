# One entry point for people and CI. `make run` serves the demo; `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
SEED ?= 2021
# Development defaults: the embedded setup (SQLite, tasks in-process, mail to files) unless the
# caller exported DATABASE_URL / REDIS_URL.
export DEBUG ?= true

.PHONY: help setup lock run test test-clocks lint fmt check messages worker beat need-redis ci migrate seed bench shell clean backup restore

help:
	@echo "make run       install, migrate, load the demo and serve http://$(HOST):$(PORT)"
	@echo "make test      lint, manage.py check, migration check and the whole pytest suite"
	@echo "make worker    a Celery worker (refuses to start without REDIS_URL)"
	@echo "make beat      the Celery beat scheduler (refuses to start without REDIS_URL)"
	@echo "make test-clocks  the suite without browser and worker tests, at two dates far from today"
	@echo "make lint      ruff check and format check, mypy, djLint (lint only)"
	@echo "make fmt       ruff format and fix"
	@echo "make messages  extract and compile translations (vi, en)"
	@echo "make lock      pin requirements*.txt with hashes into requirements*.lock (UPGRADE=1 takes newer versions)"
	@echo "make bench     speed and scale at 1x, 10x, 100x the demo (needs PostgreSQL)"
	@echo "make backup   dump the database and the uploaded files into var/backups/<date-time> (needs PostgreSQL)"
	@echo "make restore  restore and verify a backup: make restore FROM=var/backups/<folder> [YES=1 replaces a database with tables]"

$(PY):
	$(PYTHON) -m venv $(VENV)

# Installs come from the lock files: every package, transitive ones included, at one version with
# its hashes (pip refuses anything else). requirements*.txt are the lists people edit; `make lock`
# turns them into the lock files.
$(VENV)/.runtime: requirements.lock | $(PY)
	$(PIP) install --require-hashes -r requirements.lock
	@touch $@

$(VENV)/.dev: requirements.lock requirements-dev.lock | $(PY)
	$(PIP) install --require-hashes -r requirements-dev.lock
	@touch $@ $(VENV)/.runtime

# After editing requirements.txt or requirements-dev.txt: pin every package and its dependencies
# with hashes. The dev lock is constrained by the runtime lock, so both hold the same versions.
# pip and setuptools stay unpinned: they come with the virtualenv (python3 -m venv).
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes \
	--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host
lock: $(VENV)/.dev
	$(PIP_COMPILE) $(if $(UPGRADE),--upgrade) -o requirements.lock requirements.txt
	$(PIP_COMPILE) $(if $(UPGRADE),--upgrade) -c requirements.lock -o requirements-dev.lock requirements-dev.txt

setup: $(VENV)/.runtime

migrate: setup
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo --seed $(SEED)

run: seed
	@echo ""
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C stops)."
	$(MANAGE) runserver $(HOST):$(PORT)

# ruff (lint and format), mypy (configured in pyproject.toml: strict on the eligibility engine and the spreadsheet writer) and
# djLint in lint mode (templates are checked, never reformatted).
lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/djlint templates --lint

fmt: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(VENV)/.dev
	$(MANAGE) check --database default --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

test: lint check
	$(VENV)/bin/pytest

# The suite does not depend on today's date: the tests without browser and worker run again with
# the clock started at a leap day years ahead and at a New Year's morning (still the old year in
# UTC), both at once on the embedded database (one process each; the machine has two cores). The
# crawl is left out: it freezes its own day, so a shifted start changes nothing it sees.
CLOCKS ?= 2028-02-29T08:30 2032-01-01T06:15
test-clocks: $(VENV)/.dev
	@mkdir -p var; pids=(); for clock in $(CLOCKS); do \
	  env -u DATABASE_URL -u REDIS_URL $(VENV)/bin/pytest -m "not integration and not e2e and not crawl" -q \
	    -p no:cacheprovider --clock $$clock > var/test-clock-$$clock.log 2>&1 & pids+=($$!); \
	done; status=0; set -- $(CLOCKS); for pid in "$${pids[@]}"; do \
	  if wait $$pid; then echo "clock $$1: $$(tail -n 1 var/test-clock-$$1.log)"; \
	  else status=1; echo "clock $$1 FAILED:"; tail -n 80 var/test-clock-$$1.log; fi; shift; \
	done; exit $$status

ci: test

messages: $(VENV)/.dev
	$(MANAGE) makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=static/vendor --ignore=var --ignore=tests --ignore=bench
	$(MANAGE) makemessages -d djangojs -l vi -l en --no-obsolete --ignore=.venv --ignore=static/vendor --ignore=var --ignore=tests --ignore=bench
	$(MANAGE) compilemessages --ignore=.venv

# Without REDIS_URL Celery would fall back to an in-memory broker that no other process sees: a
# worker or beat started that way looks healthy and does nothing. Refuse instead (exit 2).
need-redis:
	@test -n "$$REDIS_URL" || { echo "make $(MAKECMDGOALS): REDIS_URL is not set; a worker or beat needs the Redis broker, e.g. REDIS_URL=redis://127.0.0.1:6379/0 make $(MAKECMDGOALS)" >&2; exit 2; }

worker: need-redis setup
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2

beat: need-redis setup
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule

# make bench SCALES=1,10 for a quicker run; FRESH=1 drops and seeds the bench databases again.
bench: $(VENV)/.dev
	$(PY) bench/run.py $(if $(SCALES),--scales $(SCALES)) $(if $(FRESH),--fresh)

backup: setup
	$(MANAGE) backup_data

restore: setup
	@test -n "$(FROM)" || { echo "usage: make restore FROM=var/backups/<folder> [YES=1]"; exit 2; }
	$(MANAGE) restore_data "$(FROM)" $(if $(YES),--yes)

shell: setup
	$(MANAGE) shell

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache .mypy_cache
