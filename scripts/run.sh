#!/usr/bin/env bash
# Starts the action server and the Rasa server (REST, socketio) with embedded stores.
set -euo pipefail
cd "$(dirname "$0")/.."
export RASA_PORT=${RASA_PORT:-5005} ACTION_PORT=${ACTION_PORT:-5055} WEB_PORT=${WEB_PORT:-8080}
# Pages allowed to talk to the widget's socket (space-separated origins; docs/widget.md).
CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:${WEB_PORT} http://127.0.0.1:${WEB_PORT}"}
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false
bin=.venv/bin
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$bin/rasa run actions --actions actions --port "$ACTION_PORT" &
pids+=($!)

$bin/python scripts/serve_web.py &
pids+=($!)

echo "Website widget: http://localhost:${WEB_PORT}/"
echo "Assistant: REST at http://localhost:${RASA_PORT}/webhooks/rest/webhook"
$bin/python -m production.serve run --model models/bot.tar.gz --port "$RASA_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml --cors $CORS_ORIGINS &
pids+=($!)
wait -n "${pids[@]}"
