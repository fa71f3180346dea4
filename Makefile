# Two commands do all set-up on a fresh machine:
#   make demo   installs into .venv and writes the Colossus report
#   make test   installs into .venv (with the [dev] extra) and runs the tests
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-dev bench lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'

demo: install
	$(BIN)/colossim report colossus --out out/colossus-report

test: install-dev
	$(BIN)/python -m pytest

bench: install-dev
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

lint: install-dev
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) out build *.egg-info
