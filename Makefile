# Cadence: `make run` serves the app on http://127.0.0.1:5000; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app lms
HOST ?= 127.0.0.1
PORT ?= 5000
# Debian packages: WeasyPrint's text stack for certificate PDFs; Chromium for browser tests.
APP_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core
TEST_DEBS := chromium
# Node and npm install axe-core (package-lock.json), which the browser suite runs on every page;
# a Node that did not come from Debian's packages is kept.
NODE_DEBS := $(if $(shell command -v npm),,nodejs npm)

# Install the Debian packages in $(1) that are missing (root, or sudo when needed).
define apt_ensure
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" \
	    || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi; \
	  $$sudo apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; \
	fi
endef

.PHONY: run install test test-install system-deps system-test-deps migrate demo lint bench clean \
	docs guide-shots

# `cadence serve` serves with waitress (threads: CADENCE_SERVE_THREADS) and runs the embedded
# periodic sweep (email retries, reminders).
run: install migrate demo
	$(FLASK) cadence serve --host $(HOST) --port $(PORT)

install: system-deps $(BIN)/.installed

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

test-install: install system-test-deps $(BIN)/.test-installed node_modules/.installed

$(BIN)/.test-installed: pyproject.toml
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

system-deps:
	$(call apt_ensure,$(APP_DEBS))

# A test tool only: node_modules is never served by the app.
node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

system-test-deps:
	$(call apt_ensure,$(TEST_DEBS) $(NODE_DEBS))

migrate:
	$(FLASK) db upgrade

demo:
	$(FLASK) cadence demo --if-empty

# The suite runs in one process per core (pytest-xdist); a file's tests stay in one process,
# so its module fixtures (live servers) start once. TEST_WORKERS=0 runs it in this process.
TEST_WORKERS ?= auto

test: test-install docs
	$(BIN)/ruff check lms courses assessments reinforcement tests bench
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The documentation site (build/site); --strict turns a broken link or picture into a failure.
# NO_MKDOCS_2_WARNING silences the Material theme's notice about its successor.
docs: test-install
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

# Retake the user guide's pictures from the demo data (the browser suite walks the same tour).
guide-shots: test-install
	CADENCE_GUIDE_SHOTS=docs/guide/img $(BIN)/pytest tests/browser/test_user_guide.py

bench: install
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.courses
	$(BIN)/python -m bench.attendance
	$(BIN)/python -m bench.programs
	$(BIN)/python -m bench.certificates
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.adherence
	$(BIN)/python -m bench.concurrency
	$(BIN)/python -m bench.calendar_objects

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache node_modules
