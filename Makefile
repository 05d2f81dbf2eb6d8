# Quick start: `make run` serves the demo commune; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# gunicorn's worker count; the app reads the same variable to share memory-counted rate limits.
WEB_CONCURRENCY ?= 2
CHARTJS_VERSION := 4.5.1
CHARTJS_SRI := sha384-jb8JQMbMoBUzgWatfe6COACi2ljcDdZQ2OxczGA3bGNeWe+6DChMTBJemed7ZnvJ
CATALOGS := $(wildcard survey/translations/*/LC_MESSAGES/messages.po)

.PHONY: run test test-sqlite test-postgresql lint install install-test translations \
        update-translations vendor chartjs clean

run: install translations
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	@echo "Serving on http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@# gunicorn, as in production: no access log, so no visitor's IP address is written anywhere;
	@# 120 s for the downloads of a large survey's workbook (tens of seconds).
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

# Chart.js for pages served without the CDN (tests, offline installs): CHARTJS_URL=/static/vendor/chart.umd.min.js
vendor: static/vendor/chart.umd.min.js

# The tests' copy: fetched when npm is at hand; without it the chart tests skip and say why.
chartjs:
	@if [ -f static/vendor/chart.umd.min.js ]; then :; \
	elif command -v npm >/dev/null; then $(MAKE) --no-print-directory vendor \
		|| echo "== Chart.js could not be fetched: the browser chart tests will skip"; \
	else echo "== npm not found: Chart.js is not fetched, the browser chart tests will skip"; fi

static/vendor/chart.umd.min.js:
	mkdir -p static/vendor /tmp/chartjs-pack
	cd /tmp/chartjs-pack && npm pack --silent chart.js@$(CHARTJS_VERSION) >/dev/null
	tar -xzf /tmp/chartjs-pack/chart.js-$(CHARTJS_VERSION).tgz -C /tmp/chartjs-pack package/dist/chart.umd.min.js
	$(PYTHON) -c "import base64, hashlib, sys; d = open(sys.argv[1], 'rb').read(); \
		h = 'sha384-' + base64.b64encode(hashlib.sha384(d).digest()).decode(); \
		sys.exit(0 if h == sys.argv[2] else 'chart.js: SRI hash mismatch ' + h)" \
		/tmp/chartjs-pack/package/dist/chart.umd.min.js "$(CHARTJS_SRI)"
	cp /tmp/chartjs-pack/package/dist/chart.umd.min.js $@

clean:
	rm -rf $(VENV) .stamp-install .stamp-install-test .pytest_cache .ruff_cache
