# The two commands a newcomer needs: `make demo` and `make test`. Both create .venv when
# it is missing and install the project into it; nothing else is needed on the machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

# `make test` runs against its own embedded PostgreSQL and dbt target folder, so it never
# touches the demo's data, and a fixed report date so every figure is reproducible.
TEST_DIR := $(CURDIR)/.kpi/test
TEST_AS_OF := 2026-11-20
TEST_ENV := env -u KPI_WAREHOUSE_DSN -u KPI_APP_DSN KPI_DATA_DIR=$(TEST_DIR) \
	DBT_TARGET_PATH=$(TEST_DIR)/target KPI_TEST_AS_OF=$(TEST_AS_OF) \
	KPI_TEST_MANIFEST=$(TEST_DIR)/synthetic-manifest.json

.PHONY: demo test install lint redshift-gate dbt-test pytest bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/kpi demo

# The Redshift gate is offline (its own target and logs, no database): it runs beside the
# test build, whose time is mostly PostgreSQL's. Each one's output is printed when it ends.
test: $(STAMP)
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory -j2 --output-sync=target redshift-gate dbt-test
	$(MAKE) --no-print-directory pytest
	@echo "make test: all gates passed"

# sqlfluff on every core (--processes 0): 142 s -> 97 s on this 2-core machine.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(TEST_ENV) $(BIN)/kpi db start > /dev/null
	$(TEST_ENV) DBT_PROFILES_DIR=$(TEST_DIR)/dbt $(BIN)/sqlfluff lint models macros tests/data \
		--disable-progress-bar --processes 0

redshift-gate: $(STAMP)
	$(BIN)/python -m kpi.gates redshift

# The test build's history (SPEC §12): the weekly dates TEST_AS_OF, -7, ... (6 of them) and
# the six days before TEST_AS_OF; `kpi generate --replace` drops any earlier history.
dbt-test: $(STAMP)
	$(TEST_ENV) $(BIN)/kpi generate --replace --as-of $(TEST_AS_OF)
	$(TEST_ENV) $(BIN)/kpi build --as-of $(TEST_AS_OF)
	$(TEST_ENV) $(BIN)/kpi backfill --weeks 6 --as-of $(TEST_AS_OF)
	$(TEST_ENV) $(BIN)/kpi backfill --from 2026-11-14 --to 2026-11-19

# pytest's own temp folder lives under TEST_DIR: the default /tmp/pytest-of-$USER keeps only
# the last three runs, so a second pytest on the machine would delete this run's folders.
pytest: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest --basetemp=$(TEST_DIR)/pytest-tmp

# `make bench`: every figure of BENCHMARKS.md on this machine (< 30 min). The API load comes
# from wrk (Debian package) when it can be installed, else from bench/loadgen.py (asyncio).
bench: $(STAMP)
	$(BIN)/python -m pip install -q -e '.[test,bench]'
	command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null 2>&1 \
		|| (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null 2>&1 \
		|| echo "make bench: wrk not installed; using the asyncio load generator"
	$(BIN)/python -m bench all --scale 1

clean:
	-$(BIN)/kpi db stop
	-KPI_DATA_DIR=$(TEST_DIR) $(BIN)/kpi db stop
	rm -rf .kpi target logs
