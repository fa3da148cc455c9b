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

# A variable set on the command line that this Makefile does not define with `?=` is a
# typo (`make report STRAT=2019-01-01`) that would otherwise be ignored without a word.
KNOWN_VARIABLES := $(sort $(shell sed -nE 's/^([A-Z_]+) *\?=.*/\1/p' $(MAKEFILE_LIST)))
UNKNOWN_VARIABLES := $(filter-out $(KNOWN_VARIABLES),$(foreach v,$(.VARIABLES),$(if $(filter command line,$(origin $v)),$v)))
ifneq ($(UNKNOWN_VARIABLES),)
$(error unknown variable $(UNKNOWN_VARIABLES) (known: $(KNOWN_VARIABLES)))
endif

# `make report`'s options, only those given, so the command prints on one line. Values are
# taken as typed (`$(value)`: a `$` in a title stays a `$`) and quoted for the shell.
quote = '$(subst ','\'',$(1))'
option = $(if $(value $(2)), $(1) $(call quote,$(value $(2))))
SOURCE_ARGS = $(call option,--data,DATA)$(call option,--params,PARAMS)
WINDOW_ARGS = $(call option,-p start,START)$(call option,-p end,END)$(call option,-p as_of,AS_OF)
VIEW_ARGS = $(call option,-p tracks,TRACKS)$(call option,-p min_reliability,MIN_RELIABILITY)
TEXT_ARGS = $(call option,-p title,TITLE)$(call option,-p marking,MARKING)
PREVIEW_ARGS = $(SOURCE_ARGS)$(WINDOW_ARGS)$(VIEW_ARGS)$(TEXT_ARGS)
REPORT_ARGS = $(PREVIEW_ARGS)$(call option,--out,OUT)

.PHONY: help
help: ## list the targets
	@# Two passes: the descriptions start one column after the longest target's name.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' \
		'{ name[NR] = $$1; text[NR] = $$2; if (length($$1) > w) w = length($$1) } \
		END { for (i = 1; i <= NR; i++) printf "  make %-" w "s  %s\n", name[i], text[i] }'

$(STAMP): requirements.txt pyproject.toml tools/setup_venv.py
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11))' \
		|| { echo "Python 3.11 or newer is needed (found: $$($(PYTHON) --version))"; exit 1; }
	@# uv installs the lock in seconds (pip as the fallback), says what it does step by step,
	@# installs the project editable and registers its kernel inside the venv.
	@$(PYTHON) tools/setup_venv.py --venv $(VENV) --lock requirements.txt --project .
	@touch $@

.PHONY: venv
venv: $(STAMP) ## create .venv from requirements.txt (done by every target that needs it)

# The lock: requirements.txt compiled by uv from pyproject.toml's dependencies and extras,
# with the settings in its [tool.uv.pip]. Existing pins are kept; to move one, e.g.
# `make lock LOCK_FLAGS="--upgrade-package pandas"` (or --upgrade for all).
LOCK_FLAGS ?=

.PHONY: lock
lock: $(STAMP) ## recompile requirements.txt from pyproject.toml (uv; keeps existing pins)
	@cp requirements.txt $(VENV)/requirements.new
	$(BIN)/uv pip compile pyproject.toml --python $(BIN)/python --quiet \
		--output-file $(VENV)/requirements.new $(LOCK_FLAGS)
	@# Replaced only when it changed, so an unchanged lock does not reinstall the venv.
	@if cmp -s $(VENV)/requirements.new requirements.txt; then rm $(VENV)/requirements.new; \
		echo "requirements.txt is up to date"; else mv $(VENV)/requirements.new requirements.txt; fi

.PHONY: report
report: $(STAMP) ## build the default briefing into reports/ (START= END= AS_OF= TITLE= FORMAT= ...)
	$(BIN)/briefings build$(call option,--format,FORMAT)$(REPORT_ARGS)

# A preview is HTML unless FORMAT is given; it has its own folder, so no OUT.
.PHONY: preview
preview: $(STAMP) ## build a preview into reports/<name>.preview/; never replaces the published one
	$(BIN)/briefings build --preview$(if $(filter command line,$(origin FORMAT)),$(call option,--format,FORMAT))$(PREVIEW_ARGS)

.PHONY: validate
validate: $(STAMP) ## check the dataset (DATA=data/<id>)
	$(BIN)/briefings validate $(if $(DATA),--data "$(DATA)")

.PHONY: states
states: $(STAMP) ## print the state table as CSV
	$(BIN)/briefings states $(if $(DATA),--data "$(DATA)")

# The suite runs in a new random order each time (pytest-randomly prints the seed; the same
# order again: `.venv/bin/python -m pytest --randomly-seed=N`) and on every core (pytest-xdist).
.PHONY: test
test: $(STAMP) lint ## run the lint and the whole test suite
	$(BIN)/python -m pytest -n auto

.PHONY: check
check: $(STAMP) lint ## the edit loop: the lint and the fast tests (no kernel started)
	$(BIN)/python -m pytest -n auto -m "not slow" -q

.PHONY: lint
lint: $(STAMP) ## check the code: ruff, and the layers' import contracts (pyproject.toml)
	$(BIN)/ruff check src tests benchmarks tools notebooks
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/lint-imports --no-cache

.PHONY: clean
clean: ## remove build outputs (keeps .venv)
	find reports -mindepth 1 -not -name .gitkeep -delete

# --- Interactive editing (issue 4) -------------------------------------------------------
# JupyterLab's settings, workspaces, runtime files (connection files, server info) and the
# kernel's IPython and matplotlib caches go under LAB_DIR inside .venv, not the home folder;
# with JUPYTER_DATA_DIR there, a kernel named `briefings` in ~/.local cannot shadow the
# venv's. .venv/bin leads PATH so a JupyterLab terminal runs the project's `briefings`: the
# server's, and each terminal's, whose login start-up files would set PATH afresh
# (tools/lab-terminal.bashrc puts LAB_VENV_BIN back in front after them).
LAB_PORT ?= 8888
LAB_DIR ?= $(CURDIR)/$(VENV)/jupyter
LAB_FLAGS ?=
# Jupyter refuses to run as root; containers often do, and the server only listens on
# 127.0.0.1 behind a token, so root gets --allow-root rather than a failure.
LAB_ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab
lab: $(STAMP) ## open notebooks/ in JupyterLab on 127.0.0.1 (token auth; LAB_PORT=8888)
	PATH="$(CURDIR)/$(BIN):$$PATH" LAB_VENV_BIN="$(CURDIR)/$(BIN)" \
	JUPYTER_CONFIG_DIR="$(LAB_DIR)/config" \
	JUPYTER_DATA_DIR="$(LAB_DIR)/data" JUPYTER_RUNTIME_DIR="$(LAB_DIR)/runtime" \
	IPYTHONDIR="$(LAB_DIR)/ipython" MPLCONFIGDIR="$(LAB_DIR)/matplotlib" \
	exec $(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(LAB_PORT) \
		--ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/notebooks \
		--MappingKernelManager.default_kernel_name=briefings $(LAB_ROOT_FLAG) \
		--ServerApp.terminado_settings='{"shell_command": ["bash", "--rcfile", "$(CURDIR)/tools/lab-terminal.bashrc", "-i"]}' \
		$(LAB_FLAGS)

.PHONY: strip
strip: $(STAMP) ## remove outputs, execution counts and volatile metadata from notebooks/
	$(BIN)/python -m briefings.build.hygiene --strip notebooks/*.ipynb

.PHONY: git-diffs
git-diffs: $(STAMP) ## make `git diff` show notebooks as code and text (jupytext; this clone)
	git config diff.jupytext.textconv "$(CURDIR)/$(BIN)/jupytext --from ipynb --to py:percent --output -"
	git config diff.jupytext.cachetextconv true
	@attributes="$$(git rev-parse --git-path info/attributes)"; mkdir -p "$$(dirname "$$attributes")"; \
		grep -qxF '*.ipynb diff=jupytext' "$$attributes" 2>/dev/null \
		|| echo '*.ipynb diff=jupytext' >> "$$attributes"

# Scheduled builds (briefings.yaml): `make briefings JOBS=2`, `FORCE=1` to rebuild all,
# `NOW=2026-01-05T06:00` to run as if at that time (UTC), `DRY_RUN=1` to print what would be
# built without building, `SPEC=file` for another schedule.
JOBS ?=
FORCE ?=
NOW ?=
DRY_RUN ?=
SPEC ?=

.PHONY: briefings
briefings: $(STAMP) ## build the scheduled briefings that are due or changed
	$(BIN)/briefings schedule $(if $(SPEC),--spec "$(SPEC)") $(if $(JOBS),--jobs $(JOBS)) \
		$(if $(FORCE),--force) $(if $(NOW),--now "$(NOW)") $(if $(DRY_RUN),--dry-run)

# --- Build speed (issue 7) ----------------------------------------------------------------
.PHONY: bench
bench: $(STAMP) ## time builds against their floors and the hand-made chain (about 8 min)
	$(BIN)/python benchmarks/bench.py

# --- Drafting rows from an article (issue 24) ---------------------------------------------
.PHONY: draft-eval
draft-eval: $(STAMP) ## accuracy of `briefings draft` on its test corpus, per category
	$(BIN)/python tests/draft/draft_eval.py

# --- Airflow (issue 13) -------------------------------------------------------------------
# Airflow lives in its own venv, pinned by deploy/airflow/constraints.txt, apart from .venv:
# its tasks run the project's command, never the project's code in Airflow's Python.
AIRFLOW_VENV := .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed

$(AIRFLOW_STAMP): deploy/airflow/constraints.txt
	@test -x $(AIRFLOW_VENV)/bin/python || $(PYTHON) -m venv $(AIRFLOW_VENV)
	@echo "installing Airflow into $(AIRFLOW_VENV) (about 300 MB; a few minutes)"
	@started=$$(date +%s); \
	$(AIRFLOW_VENV)/bin/python -m pip install --quiet --disable-pip-version-check \
		-c deploy/airflow/constraints.txt apache-airflow \
	&& echo "Airflow installed in $$(( $$(date +%s) - started )) s"
	@touch $@

.PHONY: airflow-check
airflow-check: $(STAMP) $(AIRFLOW_STAMP) ## the DAGs under a real Airflow (own venv, SQLite; 3-8 min)
	deploy/airflow/check.sh

# --- Documentation (issue 23) -------------------------------------------------------------
# The site is built afresh each time (-E: Sphinx reports a page's warnings only when it reads
# it), strictly (-n -W --keep-going: a broken link or reference, or a page in no toctree,
# fails after listing every problem), and then checked to load nothing from another host.
# Its Python (conf.py, the site's extension, the examples in the pages) is ruff-clean too.
DOCS_OUT := docs/_build

.PHONY: docs
docs: $(STAMP) ## build the documentation site into docs/_build/html (strict: warnings fail)
	$(BIN)/ruff check docs
	$(BIN)/ruff format --check docs
	$(BIN)/sphinx-build -b html -E -n -W --keep-going -q -d $(DOCS_OUT)/doctrees docs $(DOCS_OUT)/html
	$(BIN)/python tools/check_site.py $(DOCS_OUT)/html
	@echo "documentation built: $(DOCS_OUT)/html/index.html"

# --- A web server for readers and analysts (issue 25) -------------------------------------
# `make serve` prints its address with the token (BRIEFINGS_TOKEN, or one made at start):
# open it in a browser; Ctrl-C stops the server. WATCH=1 rebuilds the preview on every save
# of the notebook or its dataset; SPEC= and JOBS= as for `make briefings`.
SERVE_PORT ?= 8800
WATCH ?=

.PHONY: serve
serve: $(STAMP) ## serve the index, a form that orders views, and with WATCH=1 a live preview
	exec $(BIN)/briefings serve --port $(SERVE_PORT)$(if $(SPEC), --spec "$(SPEC)")$(if $(JOBS), --jobs $(JOBS))$(if $(WATCH), --watch)

.PHONY: bench-serve
bench-serve: $(STAMP) ## time a view from the form in Chromium: new, warm and published (~1 min)
	$(BIN)/python benchmarks/serve.py
