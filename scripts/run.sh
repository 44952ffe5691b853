#!/usr/bin/env bash
# Starts the action server and the Rasa server (REST, socketio) with embedded stores: the
# conversations in a SQLite file (TRACKER_SQLITE_PATH, kept across restarts), locks in memory.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_PORT=${RASA_PORT:-5005} ACTION_PORT=${ACTION_PORT:-5055} WEB_PORT=${WEB_PORT:-8080}
# Pages allowed to talk to the widget's socket (space-separated origins; docs/widget.md).
CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:${WEB_PORT} http://127.0.0.1:${WEB_PORT}"}
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false
bin=.venv/bin
# Only this run's Rasa server may call the action server (action_server/secret.py).
export ACTION_SERVER_SECRET=${ACTION_SERVER_SECRET:-$($bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')}
# The widget's rating tokens: the Rasa server hands them out, the web app checks them
# (channels/rating_token.py).
export WIDGET_TOKEN_SECRET=${WIDGET_TOKEN_SECRET:-$($bin/python -c 'import secrets; print(secrets.token_urlsafe(32))')}
export CORS_ORIGINS
export TRACKER_SQLITE_PATH=${TRACKER_SQLITE_PATH:-$PWD/var/tracker.db}
mkdir -p "$(dirname "$TRACKER_SQLITE_PATH")"
# The supervisor restarts a server that dies (with backoff); only Ctrl-C stops everything.
exec $bin/python -m process_supervisor
