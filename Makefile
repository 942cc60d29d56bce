# Two entry points: `make demo` builds the bundled examples into output/,
# `make test` runs the whole suite. Each creates its own virtual environment.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint system-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/kg build examples/papers examples/papers.jsonl --out output
	$(BIN)/kg query largest-models --out output

# Debian tools the tests use as independent checks (rapper, Chromium, Virtuoso).
# Installed only when missing; needs root, as on CI and our dev machines.
system-deps:
	@missing=""; \
	command -v rapper >/dev/null || missing="$$missing raptor2-utils"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null || missing="$$missing chromium-driver"; \
	command -v virtuoso-t >/dev/null || missing="$$missing virtuoso-opensource-7-bin"; \
	if [ -n "$$missing" ]; then \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing; \
	fi

# ruff (lint) and mypy, configured in pyproject.toml; `make test` runs them first.
lint: $(STAMP)
	$(BIN)/ruff check kg tests bench
	$(BIN)/ruff format --check kg tests bench
	$(BIN)/mypy

test: $(STAMP) system-deps lint
	MLKG_REQUIRE_SYSTEM_TOOLS=1 $(BIN)/pytest -q

# Everything but the `system` (Chromium, Virtuoso, rapper) and `slow` tests, one process per core
# (2,468 tests in 58 s on an idle 2-core machine, 5 December 2026).
test-fast: $(STAMP)
	$(BIN)/pytest -q -n auto -m 'not system and not slow'

bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes 10000,100000

clean:
	rm -rf output $(VENV) .pytest_cache .mypy_cache .ruff_cache
