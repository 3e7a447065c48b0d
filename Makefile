# make build: set up .venv and build the example site into output/current/
# make test:  the same set-up, then lint, import contracts and the whole test suite
# make bench: the benchmark against Hugo and Pelican (see bench/run.py); not run by CI
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: build test lint check clean bench

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
	$(BIN)/ruff check generator tests bench
	$(BIN)/ruff format --check generator tests bench
	$(BIN)/lint-imports

test: $(STAMP) node_modules/.stamp lint
	$(BIN)/python -m pytest

# make bench: storysite (as committed at HEAD) against Hugo and Pelican, 1k and 10k
# stories, alternating runs; rewrites docs/benchmarks.md. Long (about half an hour); CI
# does not run it. BENCH_ARGS="--sizes 1000 --runs 3" for a quicker look.
BENCH_ARGS ?= --sizes 1000 10000
bench:
	$(PYTHON) bench/run.py $(BENCH_ARGS) --write-docs

clean:
	rm -rf output build dist
