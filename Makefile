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
export TRACKER_SQLITE_PATH ?= $(ROOT)/var/tracker.db
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/bot.tar.gz
NLP_ASSETS := build/jieba_dict/userdict.txt build/spacy_zh/meta.json
TRAIN_INPUTS := config.yml domain.yml $(shell find data kb components assistant -type f -not -name '*.pyc' 2>/dev/null)

.PHONY: help run test venv model validate test-stories test-nlu pytest bench clean
.DEFAULT_GOAL := help

help:
	@echo "make run    start the assistant (REST on :\$$RASA_PORT, widget page on :\$$WEB_PORT)"
	@echo "make test   run every test (what CI runs)"
	@echo "make bench  print latency, long-conversation, CPU, flood, start-up, memory and training figures"
	@echo "make leads  print all customer-service leads as CSV"

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt constraints.txt
	@scripts/make-venv.sh $(VENV)
	@touch $@

$(NLP_ASSETS) &: $(VENV)/.installed $(wildcard kb/*.yml assistant/*.py) scripts/build_nlp_assets.py
	$(PY) scripts/build_nlp_assets.py

model: $(MODEL)
$(MODEL): $(VENV)/.installed $(NLP_ASSETS) $(TRAIN_INPUTS)
	@start=$$(date +%s); $(RASA) train --fixed-model-name bot --out models --quiet && \
	  echo $$(( $$(date +%s) - start )) > models/train_seconds.txt && touch $(MODEL)

run: venv model
	@scripts/run.sh

validate: venv
	$(RASA) data validate --fail-on-warnings

test-stories: model
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) --fail-on-prediction-errors --out results/core

test-nlu: model
	$(RASA) test nlu --nlu tests/nlu_test.yml --model $(MODEL) --out results/nlu
	$(PY) scripts/check_nlu_report.py results/nlu --min-intent-f1 0.95

pytest: model
	$(VENV)/bin/pytest -q tests

test: validate test-stories test-nlu pytest

bench: model
	$(PY) scripts/bench.py --stack

clean:
	rm -rf build models results

-include $(ROOT)/mk/*.mk
