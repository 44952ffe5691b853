# WeChat's acknowledgement under load (scripts/bench_wechat.py, docs/wechat.md).
wechat_saved_goal := $(.DEFAULT_GOAL)
.PHONY: bench-wechat
bench-wechat: venv model  ## WeChat's slowest acknowledgement at 400 concurrent REST visitors
	$(PY) scripts/bench_wechat.py
.DEFAULT_GOAL := $(wechat_saved_goal)
