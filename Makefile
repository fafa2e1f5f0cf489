# Horchposten: `make run` starts the bot, `make test` checks it. Both install into .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-ahead lint typecheck pytest pytest-ahead bench clean

$(STAMP): requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	touch $(STAMP)

# The local demo also answers the Bot Framework Emulator (no MicrosoftAppId needed); a
# deployment (Procfile) leaves HORCH_TEAMS_EMULATOR off and serves no unauthenticated endpoint.
run: $(STAMP)
	HORCH_TEAMS_EMULATOR=$${HORCH_TEAMS_EMULATOR:-true} $(BIN)/python -m bot run

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy bot handlers core integrations config

pytest: $(STAMP)
	$(BIN)/python -m pytest -q

# The whole suite with the wall clock CLOCK_AHEAD_DAYS ahead, in the tests and in every bot
# process they start (tests/clock_ahead/sitecustomize.py, time-machine): a test tied to
# today's date fails the day it is written, not weeks later.
CLOCK_AHEAD_DAYS ?= 400
pytest-ahead: $(STAMP)
	HORCH_TEST_CLOCK_AHEAD_DAYS=$(CLOCK_AHEAD_DAYS) PYTHONPATH=tests/clock_ahead \
		$(BIN)/python -m pytest -q -W ignore::pytest.PytestAssertRewriteWarning

test-ahead: $(STAMP) lint typecheck pytest-ahead

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/*.db
