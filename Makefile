# Quick start: `make run` serves the demo commune; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# gunicorn's worker count; the app reads the same variable to share memory-counted rate limits.
WEB_CONCURRENCY ?= 2
# Chart.js's version and SRI hash are pinned in survey/core/chartjs.py, which also fetches it.
CHARTJS := static/vendor/chart.umd.min.js
CATALOGS := $(wildcard survey/translations/*/LC_MESSAGES/messages.po)

.PHONY: run test test-sqlite test-postgresql lint install install-test translations \
        update-translations vendor chartjs clean

run: install translations chartjs
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@# gunicorn, as in production: no access log, so no visitor's IP address is written anywhere;
	@# 120 s for the downloads of a large survey's workbook (tens of seconds).
	@# With FLASK_REDIS_URL set, the dashboards' figures are kept in Redis and computed by a worker
	@# of their queue, started beside gunicorn and stopped with it.
	if [ -n "$$FLASK_REDIS_URL" ]; then $(FLASK) figures worker & trap 'kill $$! 2>/dev/null' EXIT INT TERM; fi; \
	WEB_CONCURRENCY=$(WEB_CONCURRENCY) $(BIN)/gunicorn --timeout 120 --bind $(HOST):$(PORT) 'app:create_app()'


test: install-test translations chartjs lint test-sqlite test-postgresql

# Bandit fails on any medium or high finding, whatever its confidence; a false positive is
# justified on the flagged line itself (`# nosec BXXX # why`), never skipped project-wide.
lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --severity-level medium --confidence-level all -r app.py survey analytics

test-sqlite:
	env -u TEST_DATABASE_URL $(BIN)/python -m pytest

test-postgresql:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(BIN)/python -m pytest; \
	else \
		echo "== PostgreSQL run skipped: TEST_DATABASE_URL is not set" \
		     "(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test)"; \
	fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: .stamp-install
.stamp-install: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

install-test: .stamp-install-test
.stamp-install-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@ .stamp-install

# Compiled catalogs (.mo) are build output, made from the committed .po files.
translations: $(CATALOGS:.po=.mo)
%.mo: %.po
	$(BIN)/pybabel compile --statistics -i $< -o $@

update-translations:
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location -o /tmp/messages.pot .
	$(BIN)/pybabel update -i /tmp/messages.pot -d survey/translations --no-fuzzy-matching

# Chart.js served by the app itself (the default whenever the copy is there), fetched from the
# npm registry and checked against its SRI hash; kept as it is when it already matches.
vendor:
	$(PYTHON) -m survey.core.chartjs $(CHARTJS)

# For `make run` and `make test`: without npm or its registry, pages load Chart.js from the CDN
# (each chart says so when that cannot be reached either) and the browser chart tests skip.
chartjs:
	@$(PYTHON) -m survey.core.chartjs $(CHARTJS) || echo "== Chart.js is not in static/vendor/:" \
		"pages load it from the CDN, and the browser chart tests skip"

clean:
	rm -rf $(VENV) .stamp-install .stamp-install-test .pytest_cache .ruff_cache build dist
