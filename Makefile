# GlobalCart — every target creates .venv if missing and installs the pinned dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= small

.PHONY: demo test lint typecheck format bench bench-deps bench-api clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

DEMO_ADMIN ?= admin@demo.globalcart.test

# Builds a small store into ./data/globalcart.duckdb, creates a demo admin (random password,
# printed once) and serves the API on http://127.0.0.1:8000 (Ctrl-C to stop).
demo: $(STAMP)
	$(BIN)/globalcart pipeline --scale $(SCALE)
	$(BIN)/globalcart users create --role admin --email $(DEMO_ADMIN) --generate-password --exists-ok
	GLOBALCART_DEMO_MODE=1 $(BIN)/globalcart serve --host 127.0.0.1 --port 8000

test: $(STAMP)
	$(BIN)/ruff check globalcart tests benchmarks
	$(BIN)/ruff format --check globalcart tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest -n auto --dist loadgroup --cov --cov-report=term:skip-covered

lint: $(STAMP)
	$(BIN)/ruff check globalcart tests benchmarks
	$(BIN)/ruff format --check globalcart tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format globalcart tests benchmarks
	$(BIN)/ruff check --fix globalcart tests benchmarks

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_generate.py --scale medium

# wrk, the HTTP load generator of bench-api (Debian/Ubuntu; benchmarks only, not needed by CI)
bench-deps:
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk; \
		else sudo apt-get install -y wrk; fi; }
	@wrk --version | head -1 || true

# KPI endpoints over HTTP on one worker at medium scale (builds data/bench/api-medium.duckdb once)
bench-api: $(STAMP)
	$(BIN)/python benchmarks/bench_api.py --part kpis

clean:
	rm -rf $(VENV) data reports .pytest_cache .mypy_cache .ruff_cache .coverage benchmarks/results
