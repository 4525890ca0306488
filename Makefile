# Adoption Coach. Quick start: `make run` (bot + local Teams client) and `make test` (all tests).
# Each target installs what it needs: a virtual environment in .venv/ (pip, pinned by
# requirements.lock), the Node tools from package-lock.json, and Chromium for the browser test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test deps browser bench soak check clean

$(PY_STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

deps: $(PY_STAMP) $(NODE_STAMP)

# Debian's Chromium drives the playground UI in the browser test.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Chromium (Debian package) for the browser test..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-color-emoji >/dev/null; }

run: deps
	$(VENV)/bin/coach dev

test: deps browser
	$(VENV)/bin/coach content check
	$(VENV)/bin/pytest

bench: deps
	$(PY) -m bench.bench_turn --stores sqlite,cosmos
	$(PY) -m bench.bench_reports

# Two instances on one SQLite file, 2,000 workers, 100,000 mixed turns (not part of `make test`).
# A shorter run: make soak SOAK_ARGS="--turns 5000 --workers 100"
soak: deps
	$(PY) -m bench.bench_soak $(SOAK_ARGS)

check: deps
	$(VENV)/bin/coach content check

clean:
	rm -rf $(VENV) node_modules data test-artifacts build appPackage.zip
