#!/usr/bin/env bash
# `make shell`: chat with the assistant in the terminal, as `rasa shell` does, with this
# project's action server (started here, stopped on exit) and its shared secret.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false ACTION_PORT=${ACTION_PORT:-5055}
export ACTION_SERVER_SECRET=${ACTION_SERVER_SECRET:-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')}
export TRACKER_SQLITE_PATH=${TRACKER_SQLITE_PATH:-$PWD/var/tracker.db}
mkdir -p var "$(dirname "$TRACKER_SQLITE_PATH")"
.venv/bin/python -m action_server --port "$ACTION_PORT" >var/shell-actions.log 2>&1 &
actions=$!
trap 'kill "$actions" 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  curl -s -o /dev/null "http://127.0.0.1:$ACTION_PORT/health" && break
  kill -0 "$actions" 2>/dev/null || { echo "the action server did not start: var/shell-actions.log" >&2; exit 1; }
  sleep 1
done
endpoints=$(.venv/bin/python -c 'import os, sys; from process_supervisor.endpoints import render
print(render(__import__("pathlib").Path("var/endpoints.shell.yml"), os.environ["ACTION_PORT"], os.environ["TRACKER_SQLITE_PATH"]))')
.venv/bin/python -m rasa_server shell --model models/bot.tar.gz --endpoints "$endpoints" "$@"
