# Two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test test-browser chromium lint bench hyperspy-venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

demo: $(STAMP)
	MPLBACKEND=Agg $(BIN)/emunmix demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

test: lint
	MPLBACKEND=Agg $(BIN)/python -m pytest

# The tutorial in a real JupyterLab, driven in headless Chromium (a few minutes).
BROWSER_STAMP := $(VENV)/.browser-stamp

$(BROWSER_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,browser]"
	touch $(BROWSER_STAMP)

# Debian's Chromium and ChromeDriver (never a browser download). Where they cannot be
# installed the browser tests are skipped and say why.
chromium:
	@if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then exit 0; fi; \
	if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  (apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive \
	   apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium chromium-driver >/dev/null) \
	  || echo "chromium could not be installed: the browser tests will be skipped"; \
	else echo "no apt-get as root here: the browser tests need /usr/bin/chromium"; fi

test-browser: $(BROWSER_STAMP) chromium
	$(BIN)/python -m pytest -m browser tests/browser -rs

bench: $(STAMP)
	MPLBACKEND=Agg $(BIN)/python benchmarks/run_all.py

# HyperSpy as a yardstick for the benchmarks, in its own venv (never a dependency)
hyperspy-venv:
	$(PYTHON) -m venv .venv-hyperspy
	.venv-hyperspy/bin/python -m pip install --quiet "hyperspy==2.5.0" "exspy==0.3.2" "zarr<3" scikit-learn

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache
