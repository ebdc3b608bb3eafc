# Two entry points, each doing all of its set-up on a fresh machine:
#   make scan   - create .venv, install dllicense with its engine, scan this repository
#   make test   - the same set-up plus the test tools, then the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.dllicense-installed

.PHONY: setup scan test lint bench browser compat

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,scancode]'
	touch $(STAMP)

setup: $(STAMP)

scan: setup
	$(VENV)/bin/dllicense scan .

# Debian's chromium renders the HTML report (and prints the PDF) in the browser tests, poppler's
# pdftotext reads the PDF back (skipped, with a reason, without them).
browser:
	@{ command -v chromium && command -v pdftotext; } >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; } || \
	  echo "chromium/poppler-utils could not be installed: the browser tests will be skipped"

test: setup browser
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports  # the stage order ([tool.importlinter] in pyproject.toml)

bench: setup
	$(PY) bench/run_all.py

# The oldest and newest supported Pythons: install the package alone (no engine) and run the
# tests that need no scancode, no venv building and no browser.
COMPAT_TESTS := tests/licenses/test_spdx.py tests/discover tests/policy tests/knowledge tests/test_cli.py
compat:
	@for v in 3.10 3.13; do \
	  py=python$$v; $$py -c pass 2>/dev/null || \
	    py=$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/$$v.*/bin/python$$v 2>/dev/null | tail -n 1); \
	  [ -n "$$py" ] && $$py -c pass 2>/dev/null || { echo "python$$v not found: skipped"; continue; }; \
	  rm -rf .venv-$$v && $$py -m venv .venv-$$v && \
	  .venv-$$v/bin/python -m pip install -q --upgrade pip && \
	  .venv-$$v/bin/python -m pip install -q -e . pytest hypothesis jsonschema trove-classifiers && \
	  .venv-$$v/bin/python -m pytest -q -p no:cacheprovider $(COMPAT_TESTS) || exit 1; \
	done
