# Pingli — the README's commands. `make help` lists them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# An editable install compiles nothing of app/: without this, a shell that sets
# PYTHONDONTWRITEBYTECODE compiles every module from source at each start (~1 s).
bytecode:
	@$(BIN)/python -m compileall -q app >/dev/null

install: $(STAMP) ## create .venv and install the project with its dev tools

run: $(STAMP) bytecode ## migrate, seed the demo county if empty, serve on http://127.0.0.1:8000
	$(BIN)/pingli serve --setup

test: $(STAMP) ## the whole suite: SQLite, then PostgreSQL+PostGIS when PINGLI_TEST_POSTGRES_URL is set
	$(BIN)/python -m tests.run

lint: $(STAMP) ## ruff and mypy
	$(BIN)/ruff check app tests bench
	$(BIN)/ruff format --check app tests bench
	$(BIN)/mypy

messages: $(STAMP) ## extract translatable strings into app/locale/*/LC_MESSAGES/<domain>.po
	$(BIN)/python -m app.i18n_catalogs

bench: $(STAMP) ## run the benchmarks (see bench/README.md)
	$(BIN)/python -m bench.run

.PHONY: help install run test lint messages bench bytecode
