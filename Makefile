# Both targets build .venv themselves on a fresh machine.
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
CODE := domain application adapters entrypoints

.PHONY: install test lint typecheck layers unit crash demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

# Strict editable mode builds a link tree mypy can follow; new files need a re-install, so
# every target re-installs (a few seconds). constraints.txt holds the versions the checks last
# passed with, so a new release upstream cannot turn a fresh checkout red.
install: $(BIN)/python
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[dev,video,s3]' --config-settings editable_mode=strict

lint: install
	$(BIN)/ruff check $(CODE) tests bench
	$(BIN)/ruff format --check $(CODE) tests bench

typecheck: install
	$(BIN)/mypy

layers: install
	$(BIN)/lint-imports

# One worker per core, each test file on one worker (a file's servers and browser start once);
# most tests wait on sockets, subprocesses and databases, so two cores run them about twice as
# fast. TEST_WORKERS=0 runs them in this process, one after another.
TEST_WORKERS ?= auto
unit: install
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --durations=15

test: lint typecheck layers unit

# Every crash point of one operation, for both databases x offline, WaveSpeed, Stability x 1 and
# 2 outputs x with and without a key (`make test` runs three of them).
crash: install
	IMAGESTUDIO_CRASH_MATRIX=full $(BIN)/pytest -s tests/integration/test_crash_points.py

demo: install
	IMAGESTUDIO_DATA_DIR=$${IMAGESTUDIO_DATA_DIR:-$(CURDIR)/.demo-data} $(BIN)/python -m imagestudio.entrypoints.demo

bench: install
	$(BIN)/python bench/quota_bench.py

clean:
	rm -rf $(VENV) .demo-data build *.egg-info .mypy_cache .pytest_cache .ruff_cache
