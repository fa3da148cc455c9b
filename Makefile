# Briefings: `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp is a real file: make installs only when requirements or metadata change.
STAMP := $(VENV)/.installed

# Parameters for `make report`; empty ones take the dataset's defaults.
DATA ?=
START ?=
END ?=
AS_OF ?=
TRACKS ?=
MIN_RELIABILITY ?=
TITLE ?=
MARKING ?=
FORMAT ?= both
OUT ?=
PARAMS ?=

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	# The kernel lives inside the venv (not in ~/.local), so notebooks run the project's code.
	$(BIN)/python -m ipykernel install --sys-prefix --name briefings --display-name "Python (briefings)" >/dev/null
	@touch $@

.PHONY: venv
venv: $(STAMP) ## create .venv from requirements.txt (done by every target that needs it)

.PHONY: report
report: $(STAMP) ## build the default briefing into reports/ (START= END= AS_OF= TITLE= FORMAT= ...)
	$(BIN)/briefings build --format $(FORMAT) \
		$(if $(DATA),--data "$(DATA)") $(if $(PARAMS),--params "$(PARAMS)") $(if $(OUT),--out "$(OUT)") \
		$(if $(START),-p start "$(START)") $(if $(END),-p end "$(END)") \
		$(if $(AS_OF),-p as_of "$(AS_OF)") $(if $(TRACKS),-p tracks "$(TRACKS)") \
		$(if $(MIN_RELIABILITY),-p min_reliability "$(MIN_RELIABILITY)") \
		$(if $(TITLE),-p title "$(TITLE)") $(if $(MARKING),-p marking "$(MARKING)")

.PHONY: validate
validate: $(STAMP) ## check the dataset (DATA=data/<id>)
	$(BIN)/briefings validate $(if $(DATA),--data "$(DATA)")

.PHONY: states
states: $(STAMP) ## print the state table as CSV
	$(BIN)/briefings states $(if $(DATA),--data "$(DATA)")

.PHONY: test
test: $(STAMP) ## run the whole test suite
	$(BIN)/python -m pytest

.PHONY: lint
lint: $(STAMP) ## ruff
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

.PHONY: clean
clean: ## remove build outputs (keeps .venv)
	find reports -mindepth 1 -not -name .gitkeep -delete
