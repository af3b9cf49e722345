# kaartspel — `make` sets up .venv and builds every output; `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
BENCH_STAMP := $(VENV)/.bench-stamp

.DEFAULT_GOAL := all
.PHONY: all setup build test lint fuzz bench docs serve update-golden clean

all: build

setup: $(STAMP)

# Reinstall when the project's dependencies change.
$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is required") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# pip compiles the bytecode of what it installs, but not of an editable package: without this
# (and with PYTHONDONTWRITEBYTECODE set, as on CI) every command compiles kaartspel anew, 0.1 s.
.PHONY: bytecode
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q src

# Every recipe in deck/ (card decks and posters) into build/.
build: $(STAMP) bytecode
	$(BIN)/kaartspel check
	$(BIN)/kaartspel build

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/mypy

# Property-based tests with many more examples than CI runs.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/crosscutting/test_fuzz.py -q --hypothesis-show-statistics

# The bench extra (Typst, the benchmark's reference; never a dependency of kaartspel).
$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

# Speed and memory figures (a benchmark, not a test): prints a table, writes build/bench.json.
# BENCH_RUNS=n sets the runs per figure; BENCH_QUICK=1 skips the 1000-card deck.
bench: $(BENCH_STAMP) bytecode
	$(BIN)/python bench/bench.py
	$(BIN)/python bench/bench_serve.py --json build/bench-serve.json

# The organiser's composer: a local web page at http://127.0.0.1:8000/ (Ctrl-C stops it).
# The face cache of `make build` makes its card pictures instant.
serve: $(STAMP) bytecode
	$(BIN)/kaartspel serve --open

# The README pictures, rendered from the default outputs.
docs: $(STAMP)
	$(BIN)/python docs/make_pictures.py

# Regenerate the golden HTML files that tests/render/test_golden.py compares against.
update-golden: $(STAMP)
	$(BIN)/python tests/golden/update.py

clean:
	rm -rf build
