# Two entry points, each doing all of its set-up on a fresh machine:
#   make scan   - create .venv, install dllicense with its engine, scan this repository
#   make test   - the same set-up plus the test tools, then the whole test suite
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.dllicense-installed

.PHONY: setup scan test lint bench

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev,scancode]'
	touch $(STAMP)

setup: $(STAMP)

scan: setup
	$(VENV)/bin/dllicense scan .

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/mypy

bench: setup
	$(PY) bench/run_all.py
