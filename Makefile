# Two commands for a fresh machine:
#   make run    set up, migrate the SQLite default, load the demo once, serve on :8000
#   make test   set up and run every check and test (PostgreSQL too when installed)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup lint

$(BIN)/tenantree: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev,bench]"
	touch $@

setup: $(BIN)/tenantree

run: setup
	$(BIN)/tenantree db upgrade
	$(BIN)/tenantree demo --if-empty
	$(BIN)/tenantree serve --host $(HOST) --port $(PORT)

test: setup
	scripts/test.sh

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
