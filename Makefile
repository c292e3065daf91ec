# Two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint bench hyperspy-venv clean test-report-browser test-browser chromium docs docs-tutorial
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

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

# Debian's chromium and its driver (never a browser download); nothing to do when they
# are there. Where they cannot be installed the browser tests skip and say why.
chromium:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  $(SUDO) apt-get -o DPkg::Lock::Timeout=300 update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get -o DPkg::Lock::Timeout=300 install \
	    -y -qq chromium chromium-driver; } || \
	  echo "chromium could not be installed: the browser tests will be skipped"

# the HTML run report opened in headless Chromium (console, figures, numbers)
test-report-browser: $(STAMP) chromium
	SE_OFFLINE=true MPLBACKEND=Agg $(BIN)/python -m pytest -o addopts=-q tests/report/browser

# the tutorial in a real JupyterLab, driven in headless Chromium (a few minutes)
BROWSER_STAMP := $(VENV)/.browser-stamp

$(BROWSER_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,browser]"
	touch $(BROWSER_STAMP)

test-browser: $(BROWSER_STAMP) chromium
	SE_OFFLINE=true $(BIN)/python -m pytest -o addopts=-q -rs tests/lab_browser

# the documentation site: docs/_build/html/index.html (warnings are errors, as in the tests)
docs: $(STAMP)
	MPLBACKEND=Agg $(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	@echo "docs: $(CURDIR)/docs/_build/html/index.html"

# re-execute the tutorial for the site (docs/_rendered/tutorial.ipynb) after changing it
docs-tutorial: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python docs/render_tutorial.py

bench: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python benchmarks/run_all.py

# HyperSpy as a yardstick for the benchmarks, in its own venv (never a dependency)
hyperspy-venv:
	$(PYTHON) -m venv .venv-hyperspy
	.venv-hyperspy/bin/python -m pip install --quiet "hyperspy==2.5.0" "exspy==0.3.2" "zarr<3" scikit-learn

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
