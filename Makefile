# Two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench hyperspy-venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# the run report (HTML, figures embedded) goes to demo-report/; its path is printed
demo: $(STAMP)
	MPLBACKEND=Agg $(BIN)/emunmix demo --report demo-report --overwrite

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

test: lint
	MPLBACKEND=Agg $(BIN)/python -m pytest

bench: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python benchmarks/run_all.py

# HyperSpy as a yardstick for the benchmarks, in its own venv (never a dependency)
hyperspy-venv:
	$(PYTHON) -m venv .venv-hyperspy
	.venv-hyperspy/bin/python -m pip install --quiet "hyperspy==2.5.0" "exspy==0.3.2" "zarr<3" scikit-learn

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
