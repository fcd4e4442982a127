# Everything a fresh machine needs: Python 3.11 with pip, and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: demo test lint typecheck unit browser docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,docs]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/cyp-indicators demo

lint: $(STAMP)
	$(BIN)/ruff check src tests examples tools benchmarks
	$(BIN)/ruff format --check src tests examples tools benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

# The report's rendering tests need a headless Chromium: install Debian's when it is missing and
# we can (root with apt-get); otherwise say so (those tests then fail with a clear message).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	    else \
	      echo "no chromium and cannot install it (not root with apt-get): the browser tests will fail" >&2; \
	    fi; }

unit: $(STAMP) browser
	$(BIN)/pytest -q

test: lint typecheck unit

docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 DISABLE_MKDOCS_2_WARNING=true $(BIN)/mkdocs build --strict --site-dir site

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,docs,bench]"
	touch $(BENCH_STAMP)

# The benchmark suite (several minutes; BENCH_ARGS="--skip-streaming" or "--smoke" for less).
bench: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis dist build site
