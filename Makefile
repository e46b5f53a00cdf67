# One entry point for everything. `make run` and `make test` do all set-up on a fresh machine
# that has only Python 3.11+ and pip: they create .venv and install the locked dependencies
# (with uv, fetched from PyPI into the venv, when it can be had; with pip otherwise).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 3978
# property tests' strength (tests/support/examples.py): ci is each test's full count, dev a tenth
HYPOTHESIS_PROFILE ?= ci

.PHONY: run test lint check bench package clean

DFE := ../shared/data/dfe

run: $(VENV)/.ready  ## migrate the SQLite database, load demo data once, serve on 127.0.0.1:$(PORT)
	$(BIN)/forumbot db upgrade
	$(BIN)/forumbot demo load --if-empty
	if [ -f $(DFE)/ehcp_caseload_by_placement_2025.csv ]; then \
	  $(BIN)/forumbot sen2 import $(DFE)/ehcp_caseload_by_placement_2025.csv \
	    $(DFE)/ehcp_primary_need_by_placement_2025.csv ; fi
	$(BIN)/forumbot serve --host $(HOST) --port $(PORT)

test: $(VENV)/.ready  ## the whole test suite, property tests at full strength (HYPOTHESIS_PROFILE=ci)
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(BIN)/python -m pytest

lint: $(VENV)/.ready  ## ruff, mypy (strict on the domain) and the import-linter contract
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

check: lint test  ## what CI runs

bench: $(VENV)/.ready  ## benchmarks, on demand (not in CI): every command, the writes, a vote storm, search growth
	$(BIN)/python bench/turns.py
	$(BIN)/python bench/votestorm.py storm
	$(BIN)/python bench/votestorm.py writes
	$(BIN)/python bench/growth.py

package: $(VENV)/.ready  ## the Teams app package
	$(BIN)/forumbot app package --out appPackage.zip

$(VENV)/.ready: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv || true
	if [ -x $(BIN)/uv ]; then \
	  $(BIN)/uv pip install -q -p $(BIN)/python -r requirements.lock && \
	  $(BIN)/uv pip install -q -p $(BIN)/python --no-deps -C editable_mode=compat -e . ; \
	else \
	  $(BIN)/python -m pip install -q --disable-pip-version-check -r requirements.lock && \
	  $(BIN)/python -m pip install -q --disable-pip-version-check --no-deps --config-settings editable_mode=compat -e . ; \
	fi
	touch $@

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
