# Two commands do all set-up on a fresh machine:
#   make demo   installs into .venv and writes the Colossus report
#   make test   installs into .venv (with the [dev] extra) and runs the tests
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install install-dev browser bench lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-dev: $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'

demo: install
	$(BIN)/colossim report colossus --out out/colossus-report

# The report test opens the HTML in headless Chromium (Debian's package); installed here when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "warning: chromium not installed; the browser test will be skipped outside CI"

test: install-dev browser
	$(BIN)/python -m pytest

bench: install-dev
	for b in benchmarks/bench_*.py; do $(BIN)/python $$b || exit 1; done

lint: install-dev
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) out build *.egg-info
