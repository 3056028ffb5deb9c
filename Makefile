# GlobalCart — every target creates .venv if missing and installs the pinned dependencies.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCALE ?= small

.PHONY: demo test lint typecheck format bench clean install

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Until the web server exists, the demo builds the warehouse and shows what it holds.
demo: $(STAMP)
	$(BIN)/globalcart pipeline --scale $(SCALE)
	$(BIN)/globalcart status

test: $(STAMP)
	$(BIN)/ruff check globalcart tests benchmarks
	$(BIN)/ruff format --check globalcart tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest --cov --cov-report=term:skip-covered

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

clean:
	rm -rf $(VENV) data reports .pytest_cache .mypy_cache .ruff_cache .coverage benchmarks/results
