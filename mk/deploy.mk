# One real server (docs/deploy.md): every file it needs, generated from its environment file.
deploy_saved_goal := $(.DEFAULT_GOAL)
.PHONY: deploy-files
deploy-files: venv  ## systemd units, nginx TLS site, timers, logrotate into deploy/ (ENV_FILE=/etc/chuangyiling/assistant.env)
	$(PY) -m production.deploy --env-file $${ENV_FILE:-/etc/chuangyiling/assistant.env} --out deploy
.DEFAULT_GOAL := $(deploy_saved_goal)
