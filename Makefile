# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export RASA_PORT ?= 5005
export ACTION_PORT ?= 5055
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
MODEL := models/bot.tar.gz
NLP_ASSETS := build/jieba_userdict.txt build/spacy_zh/meta.json
TRAIN_INPUTS := config.yml domain.yml $(shell find data kb components assistant -type f -not -name '*.pyc' 2>/dev/null)

.PHONY: run test venv model validate test-stories test-nlu pytest bench clean
-include mk/*.mk

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.txt constraints.txt
	@scripts/make-venv.sh $(VENV)
	@touch $@

$(NLP_ASSETS) &: $(VENV)/.installed kb/knowledge_base.yml assistant/kb.py scripts/build_nlp_assets.py
	$(PY) scripts/build_nlp_assets.py

model: $(MODEL)
$(MODEL): $(VENV)/.installed $(NLP_ASSETS) $(TRAIN_INPUTS)
	$(RASA) train --fixed-model-name bot --out models --quiet

run: venv model
	@scripts/run.sh

validate: venv
	$(RASA) data validate --fail-on-warnings

test-stories: model
	$(RASA) test core --stories tests/test_stories.yml --model $(MODEL) --fail-on-prediction-errors --out results/core

test-nlu: model
	$(RASA) test nlu --nlu tests/nlu_test.yml --model $(MODEL) --out results/nlu
	$(PY) scripts/check_nlu_report.py results/nlu --min-intent-f1 0.93

pytest: model
	$(VENV)/bin/pytest -q tests

test: validate test-stories test-nlu pytest

bench: model
	$(PY) scripts/bench.py

clean:
	rm -rf build models results
