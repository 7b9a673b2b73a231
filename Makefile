# Smart Grid Analytics. `make demo` runs the platform on its embedded defaults; `make test` runs the tests.
# Everything is installed into .venv/ from uv.lock; nothing is installed by hand.

PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup demo test bench airflow run up down status lint fmt clean secrets secrets-baseline compose-env

setup: $(VENV)/.synced  ## create .venv with the platform and its tools (idempotent)

$(UV):
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: install it, or run 'make PYTHON=/path/to/python3.11'"; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	UV_PYTHON=$(PYTHON) $(UV) sync --frozen --compile-bytecode
	@touch $@

demo: setup  ## land, ingest and refine three days through real Airflow, then print what is where
	$(BIN)/lakehouse demo

test: setup  ## the whole pytest suite, with the services it needs started by fixtures
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: setup  ## benchmarks that print their figures
	$(BIN)/python -m lakehouse.benchmarks

airflow: setup  ## the Airflow UI on 127.0.0.1:8080
	$(BIN)/lakehouse airflow

run: setup  ## make run START=2026-03-28 [END=2026-03-30]
	$(BIN)/lakehouse run --start $(START) --end $(or $(END),$(START))

up: setup
	$(BIN)/lakehouse up
status: setup
	$(BIN)/lakehouse status
down: setup
	$(BIN)/lakehouse down

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
fmt: setup
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

secrets: setup  ## scan tracked files for secrets against the audited .secrets.baseline  # pragma: allowlist secret
	$(BIN)/pytest tests/security/test_secret_scan.py -q
secrets-baseline: setup  ## after a reviewed false positive: refresh, then audit, the baseline
	$(BIN)/detect-secrets scan --baseline .secrets.baseline && $(BIN)/detect-secrets audit .secrets.baseline

compose-env:  ## .env for docker compose with random secrets (never overwrites an existing .env)
	$(PYTHON) docker/make_env.py

clean:  ## stop services and remove the environment (data in .lakehouse/ stays)
	-$(BIN)/lakehouse down
	rm -rf $(VENV) $(TOOLS)
