# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
# The project's directory, also when called as `make -f /path/to/Makefile` from elsewhere.
ROOT := $(patsubst %/,%,$(dir $(abspath $(firstword $(MAKEFILE_LIST)))))
export PYTHONPATH := $(ROOT)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/bot.tar.gz
NLP_ASSETS := build/jieba_dict/userdict.txt build/spacy_zh/meta.json
TRAIN_INPUTS := config.yml domain.yml $(shell find data kb components assistant rasa_patches -type f -not -name '*.pyc' 2>/dev/null)

.PHONY: help run test venv model train validate lint test-stories test-nlu pytest pytest-fast bench bench-compare bench-speedups clean shell actions
.DEFAULT_GOAL := help

# Every target with a `## what it does` comment is listed by `make help`, from this file and mk/*.mk.
help:  ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk 'BEGIN {FS = ":.*## "} {printf "make %-14s %s\n", $$1, $$2}'

venv: $(VENV)/.installed $(NLP_ASSETS)  ## create .venv from the pinned lock, with the NLP assets config.yml names
$(VENV)/.installed: requirements.txt constraints.txt
	@scripts/make-venv.sh $(VENV)
	@touch $@

$(NLP_ASSETS) &: $(VENV)/.installed $(wildcard kb/*.yml assistant/*.py components/*.py)
	@echo "make: building the jieba dictionary and the spaCy pipeline from the knowledge base" >&2
	@$(PY) -m components.nlp_assets

model: $(MODEL)  ## train the model when its data changed
train: model  ## the same as make model, as in Rasa's demo projects
$(MODEL): $(VENV)/.installed $(NLP_ASSETS) $(TRAIN_INPUTS)
	@echo "make: training the model (its data changed; about a minute)" >&2
	@start=$$(date +%s); $(RASA) train --fixed-model-name bot --out models --quiet && \
	  echo $$(( $$(date +%s) - start )) > models/train_seconds.txt && touch $(MODEL)

run: venv model  ## start the assistant: widget, staff console, REST (embedded stores)
	@scripts/run.sh

lint: $(VENV)/.installed  ## ruff: lint and format check (pyproject.toml); `ruff format .` fixes the format
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

validate: venv  ## rasa data validate, warnings fail
	$(RASA) data validate --fail-on-warnings

test-stories: model  ## rasa test core on tests/test_stories.yml
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) --fail-on-prediction-errors --out results/core

test-nlu: model  ## rasa test nlu on the held-out set, with the F1 gate
	$(RASA) test nlu --nlu tests/nlu_test.yml --model $(MODEL) --out results/nlu
	$(PY) scripts/check_nlu_report.py results/nlu --min-intent-f1 0.95

pytest: model  ## every pytest test (servers, browser, stack)
	$(VENV)/bin/pytest -q tests

pytest-fast: venv  ## the tests that start no server, browser or service (pytest -m "not e2e"), under a minute
	$(VENV)/bin/pytest -q -m "not e2e" tests

test: lint validate test-stories test-nlu pytest  ## everything CI runs

bench: model  ## latency, long conversation, CPU, flood, memory, start-up (embedded and stack)
	$(PY) scripts/bench.py --stack

REF ?= origin/main
bench-compare: model  ## this tree against git ref REF, side by side in one run (make bench-compare REF=...)
	$(PY) scripts/bench_compare.py --before $(REF)

bench-speedups: model  ## what each Rasa speed-up buys: all, none, and all but each one, side by side
	$(PY) scripts/bench_compare.py --speedups

clean:  ## remove build/, models/, results/
	rm -rf build models results

-include $(ROOT)/mk/*.mk

shell: venv model  ## chat in the terminal (rasa shell with the action server)
	@scripts/shell.sh

actions: venv  ## only the action server on ACTION_PORT (calls need ACTION_SERVER_SECRET)
	$(PY) -m action_server --port $(ACTION_PORT)
