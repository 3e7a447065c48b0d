# make build: set up .venv and build the example site into output/current/
# make test:  the same set-up, then lint, import contracts and the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: build test lint check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

node_modules/.stamp: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.stamp

build: $(STAMP)
	$(BIN)/storysite build

check: $(STAMP)
	$(BIN)/storysite check

lint: $(STAMP)
	$(BIN)/ruff check generator tests
	$(BIN)/ruff format --check generator tests
	$(BIN)/lint-imports

test: $(STAMP) node_modules/.stamp lint
	$(BIN)/python -m pytest

clean:
	rm -rf output build dist
