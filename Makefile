# Two entry points, each doing all of its set-up on a fresh machine:
#   make scan   - create .venv, install dllicense with its engine, scan this repository
#   make test   - the same set-up plus the test tools, then the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.dllicense-installed

.PHONY: setup scan test lint bench browser

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,scancode]'
	touch $(STAMP)

setup: $(STAMP)

scan: setup
	$(VENV)/bin/dllicense scan .

# Debian's chromium renders the HTML report in the browser tests (skipped, with a reason, without it).
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "chromium could not be installed: the browser tests will be skipped"

test: setup browser
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/run_all.py
