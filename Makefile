# Horchposten: `make run` starts the bot, `make test` checks it. Both install into .venv first:
# `make run` only what the bot needs (requirements.lock), `make test` the development tools on
# top (requirements-dev.lock). Both lock files pin every package with its hashes; `make lock`
# writes them anew from pyproject.toml.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.runtime
DEV := $(VENV)/.dev
PIP_COMPILE := pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test test-ahead lint typecheck pytest pytest-ahead bench clean lock

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUNTIME): requirements.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $(RUNTIME)

$(DEV): requirements-dev.lock | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $(DEV) $(RUNTIME)

# The platforms' published manifest definitions, for tests/bot/teams/test_schema.py (Teams
# JSON schema) and tests/bot/slack/test_manifest_types.py (Slack SDK's manifest type): npm
# packages pinned with integrity hashes in tests/schemas/package-lock.json, installed without
# running their scripts. Without npm on the machine those tests skip and say why.
SCHEMAS := tests/schemas/node_modules/.package-lock.json

$(SCHEMAS): tests/schemas/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix tests/schemas --ignore-scripts --no-audit --no-fund --loglevel=error; \
	else \
		echo "npm not found: the manifest schema tests will skip"; \
	fi

# pip-tools in a venv of its own, so the locks never depend on what .venv happens to hold.
lock:
	test -x .venv-lock/bin/pip-compile || ($(PY) -m venv .venv-lock && \
		.venv-lock/bin/python -m pip install --quiet pip-tools==7.6.2)
	PATH=.venv-lock/bin:$$PATH $(PIP_COMPILE) -o requirements.lock pyproject.toml
	PATH=.venv-lock/bin:$$PATH $(PIP_COMPILE) --extra dev -o requirements-dev.lock pyproject.toml

# The local demo also answers the Bot Framework Emulator (no MicrosoftAppId needed); a
# deployment (Procfile) leaves HORCH_TEAMS_EMULATOR off and serves no unauthenticated endpoint.
run: $(RUNTIME)
	HORCH_TEAMS_EMULATOR=$${HORCH_TEAMS_EMULATOR:-true} $(BIN)/python -m bot run

test: $(DEV) lint typecheck pytest

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV)
	$(BIN)/mypy bot handlers core integrations config demo

pytest: $(DEV) $(SCHEMAS)
	$(BIN)/python -m pytest -q

# The whole suite with the wall clock CLOCK_AHEAD_DAYS ahead, in the tests and in every bot
# process they start (tests/clock_ahead/sitecustomize.py, time-machine): a test tied to
# today's date fails the day it is written, not weeks later.
CLOCK_AHEAD_DAYS ?= 400
pytest-ahead: $(DEV) $(SCHEMAS)
	HORCH_TEST_CLOCK_AHEAD_DAYS=$(CLOCK_AHEAD_DAYS) PYTHONPATH=tests/clock_ahead \
		$(BIN)/python -m pytest -q -W ignore::pytest.PytestAssertRewriteWarning

test-ahead: $(DEV) lint typecheck pytest-ahead

bench: $(DEV)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/*.db tests/schemas/node_modules
