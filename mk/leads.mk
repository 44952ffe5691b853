# `make leads`: every lead as CSV (UTF-8 with BOM) on standard output, nothing else.
# Keep the Makefile's default goal: a target defined here must not become it.
leads_saved_goal := $(.DEFAULT_GOAL)
.PHONY: leads
leads: $(VENV)/.installed
	@$(PY) -m leads export
.DEFAULT_GOAL := $(leads_saved_goal)
