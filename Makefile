# Torg: `make demo` runs the web app with its demo data; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: demo test test-postgres lint format bench messages clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Torg needs Python 3.11 or newer; set PYTHON=python3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

PORT ?= 8000

# The demo runs without Django's debug pages (a newcomer sees Torg's own error pages);
# set TORG_DEBUG=1 to see tracebacks while developing.
demo: $(STAMP)
	TORG_DEBUG=$${TORG_DEBUG:-0} $(BIN)/torg demo --port $(PORT)

test: $(STAMP)
	$(BIN)/pytest

test-postgres: $(STAMP)
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/run.py

messages: $(STAMP)
	cd src/torg && ../../$(BIN)/torg makemessages --locale nb --no-obsolete --no-location --ignore "testing/*" --ignore "*/tests/*"
	$(BIN)/python tools/compile_messages.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
