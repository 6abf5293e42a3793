# Two entry points for a fresh machine with Python 3.11+ and make:
#   make demo   — environment, twin, seeded history, pipeline, Dagster UI and dashboard
#   make test   — environment, ruff, pyright and the whole pytest suite
# Every target installs what it needs, so a clean checkout (CI) behaves like this machine.

PYTHON ?= python3
UV_VERSION := 0.13.9
BOOT := .venv-uv
UV := $(BOOT)/bin/uv
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.synced-stamp
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: env demo test lint typecheck pytest bench chromium clean help

help:
	@echo "make demo   - run the twin, seed 7 days of history (all groups + webhooks), serve Dagster + dashboard"
	@echo "make test   - ruff, pyright and pytest (installs everything it needs)"
	@echo "make bench  - benchmarks; results go to docs/benchmarks.md by hand"

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (found %s); set PYTHON=/path/to/python3.11" % sys.version.split()[0])'
	$(PYTHON) -m venv $(BOOT)
	$(BOOT)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $(STAMP)

env: $(STAMP)

# Debian's chromium for the real-browser dashboard check; installed only when missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian package chromium (needed by the headless-browser dashboard test)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	}

lint: env
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: env
	$(BIN)/pyright

pytest: env chromium
	$(BIN)/pytest -q

test: lint typecheck pytest

demo: env
	$(BIN)/velora demo

bench: env
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(BOOT) .pytest_cache .ruff_cache
