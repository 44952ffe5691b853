# `make leads`: every lead as CSV (UTF-8 with BOM) on standard output, nothing else, from
# any directory (set-up messages go to stderr).
# Keep the Makefile's default goal: a target defined here must not become it.
leads_saved_goal := $(.DEFAULT_GOAL)
.PHONY: leads
leads:  ## every lead as CSV on stdout (BOM, Chinese headers), from any directory
	@cd "$(ROOT)" && $(MAKE) -s --no-print-directory venv >&2 && $(PY) -m leads export
.DEFAULT_GOAL := $(leads_saved_goal)
