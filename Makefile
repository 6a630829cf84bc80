# Mon Compte Partenaire — the two commands: `make run` (the demo) and `make test` (the whole suite).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/mcp
export REDIS_URL ?= redis://127.0.0.1:6379/15
# `make run PORT=8010`: the demo serves there, and the links of its e-mails point there too.
PORT ?= 8000
DEMO_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: run test install install-test lint bench load migrate-check clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## The demo: SQLite, local-memory cache, Celery eager, e-mails on the console. No server needed.
run: install
	bash scripts/ensure-system-packages.sh run
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=portal.settings.dev $(PY) manage.py migrate --noinput
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=portal.settings.dev $(PY) manage.py seed_demo
	env -u DATABASE_URL -u REDIS_URL DJANGO_SETTINGS_MODULE=portal.settings.dev PORTAL_BASE_URL=$(DEMO_BASE_URL) \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

## The whole suite on PostgreSQL + Redis, browser tests included.
test: install-test
	bash scripts/ensure-system-packages.sh test
	bash scripts/ensure-services.sh
	$(PY) -m ruff check .
	DJANGO_SETTINGS_MODULE=portal.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -q

lint: install-test
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

## Benchmarks: JSON lines in bench/results/, ratios to a floor measured in the same run.
bench: install-test
	bash scripts/ensure-system-packages.sh bench
	bash scripts/ensure-services.sh
	$(PY) bench/run.py
	$(PY) bench/cdap_bench.py

## Load test: gunicorn + demo data (database mcp_load, Redis db 13), bounded; fails on a 5xx, an error or a lost write.
load: install-test
	bash scripts/ensure-system-packages.sh test
	bash scripts/ensure-services.sh
	$(PY) bench/load.py

## Mutation testing (issue 20): mutmut in a copy of the working tree (.mutation/), one mutant at a time; writes
## mutation/report.md (README, "Tests"). MUTANTS="glob ..." re-tests only those, in the previous run's copy.
.PHONY: mutate
mutate: install-test
	bash scripts/ensure-services.sh
	nice -n 10 $(PY) mutation/run.py $(MUTANTS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
