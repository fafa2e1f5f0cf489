# Horchposten: `make run` starts the bot, `make test` checks it. Both install into .venv first.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench clean

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

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var/*.db
