#!/usr/bin/env bash
# The production stack on this machine (docs/production.md):
#   scripts/stack.sh up     start whatever part is not running (so it also restarts a killed part)
#   scripts/stack.sh down   stop everything it started (idempotent)
# RASA_REPLICAS Rasa servers and ACTION_REPLICAS action servers on loopback ports behind nginx
# on STACK_PORT, with PostgreSQL and Redis from endpoints.production.yml (RabbitMQ with BROKER_ENABLED=1).
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH=$PWD RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=3 SQLALCHEMY_SILENCE_UBER_WARNING=1

STACK_PORT=${STACK_PORT:-8800}
RASA_REPLICAS=${RASA_REPLICAS:-2}
ACTION_REPLICAS=${ACTION_REPLICAS:-2}
STACK_DIR=$(realpath -m "${STACK_DIR:-var/stack}")
WEB_PORT=${WEB_PORT:-8080}
# Page origins allowed to use the widget's socket (rasa --cors and the WebSocket Origin check).
export CORS_ORIGINS=${CORS_ORIGINS:-"http://localhost:${WEB_PORT} http://127.0.0.1:${WEB_PORT}"}
# Ports: nginx STACK_PORT, its action-server front STACK_PORT+1, Rasa +10.., action servers +30..
export STACK_PORT STACK_ACTION_PORT=$((STACK_PORT + 1)) STACK_WEB_PORT=$((STACK_PORT + 2))
export STACK_RASA_PORTS=$(for i in $(seq 1 "$RASA_REPLICAS"); do echo -n "$((STACK_PORT + 9 + i)) "; done)
export STACK_ACTION_PORTS=$(for i in $(seq 1 "$ACTION_REPLICAS"); do echo -n "$((STACK_PORT + 29 + i)) "; done)
# One WeChat front per Rasa replica (+40..): WeChat's 5 s hold however busy the replica is.
export STACK_WECHAT_PORTS=$(for i in $(seq 1 "$RASA_REPLICAS"); do echo -n "$((STACK_PORT + 39 + i)) "; done)
# endpoints.production.yml reads these (defaults: this machine's services).
export ACTION_ENDPOINT_URL=${ACTION_ENDPOINT_URL:-http://127.0.0.1:${STACK_ACTION_PORT}/webhook}
export TRACKER_DB_HOST=${TRACKER_DB_HOST:-127.0.0.1} TRACKER_DB_PORT=${TRACKER_DB_PORT:-5432}
export TRACKER_DB_NAME=${TRACKER_DB_NAME:-chuangyiling} TRACKER_DB_USER=${TRACKER_DB_USER:-postgres}
export TRACKER_DB_PASSWORD=${TRACKER_DB_PASSWORD:-} TRACKER_DB_LOGIN_DB=${TRACKER_DB_LOGIN_DB:-postgres}
export LOCK_REDIS_HOST=${LOCK_REDIS_HOST:-127.0.0.1} LOCK_REDIS_PORT=${LOCK_REDIS_PORT:-6379}
export LOCK_REDIS_DB=${LOCK_REDIS_DB:-1} LOCK_REDIS_PASSWORD=${LOCK_REDIS_PASSWORD:-}
export LOCK_KEY_PREFIX=${LOCK_KEY_PREFIX:-chuangyiling}
export BROKER_HOST=${BROKER_HOST:-127.0.0.1} BROKER_PORT=${BROKER_PORT:-5672}
export BROKER_USER=${BROKER_USER:-guest} BROKER_PASSWORD=${BROKER_PASSWORD:-guest}
export BROKER_QUEUE=${BROKER_QUEUE:-rasa_events}
export BROKER_EXCHANGE=${BROKER_EXCHANGE:-rasa-exchange}
# BROKER_ENABLED=1 adds the event broker (only when a consumer reads BROKER_QUEUE): production/endpoints.py.
# A replica killed mid-turn leaves its conversation locked until its ticket expires (Rasa's
# default 60 s: that visitor's next request would wait a minute). Live replicas keep their
# tickets alive (production/lock_store.py), so this only has to outlast a dead one.
export TICKET_LOCK_LIFETIME=${TICKET_LOCK_LIFETIME:-10}

bin=.venv/bin
# The WeChat fronts remember signatures' nonces in the lock store's Redis, so that a replay
# refused by one is refused by all (channels/wechat/replay.py).
if [[ -z "${WECHAT_REPLAY_REDIS_URL:-}" ]]; then
  WECHAT_REPLAY_REDIS_URL=$($bin/python -c 'import os, urllib.parse as u; e = os.environ; p = e["LOCK_REDIS_PASSWORD"]
print("redis://" + (":" + u.quote(p, safe="") + "@" if p else "") + e["LOCK_REDIS_HOST"] + ":" + e["LOCK_REDIS_PORT"] + "/" + e["LOCK_REDIS_DB"])')
fi
export WECHAT_REPLAY_REDIS_URL
# The console's takeover commands and the widget's emits across replicas (takeover/bus.py).
export TAKEOVER_REDIS_URL=${TAKEOVER_REDIS_URL:-$WECHAT_REPLAY_REDIS_URL}
mkdir -p "$STACK_DIR/nginx"
# Only the replicas may call the action servers (action_server/secret.py). Generated once per
# stack and kept in STACK_DIR, so a part restarted by a later `up` still agrees with the others.
if [[ -z "${ACTION_SERVER_SECRET:-}" ]]; then
  [[ -s "$STACK_DIR/action_secret" ]] || (umask 077; $bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' >"$STACK_DIR/action_secret")
  ACTION_SERVER_SECRET=$(cat "$STACK_DIR/action_secret")
fi
export ACTION_SERVER_SECRET
# The widget's session and rating tokens (channels/widget_session.py): the replicas hand them out,
# the web app checks them. Kept in STACK_DIR like the action secret.
if [[ -z "${WIDGET_SESSION_SECRET:-}" ]]; then
  [[ -s "$STACK_DIR/widget_secret" ]] || (umask 077; $bin/python -c 'import secrets; print(secrets.token_urlsafe(32))' >"$STACK_DIR/widget_secret")
  WIDGET_SESSION_SECRET=$(cat "$STACK_DIR/widget_secret")
fi
export WIDGET_SESSION_SECRET
# Everything behind nginx counts the visitor's address nginx passes in X-Real-IP, and believes
# it only from nginx (assistant/client_address.py): the staff lockout, ratings, lead limits.
export TRUSTED_PROXIES=${TRUSTED_PROXIES:-127.0.0.1}

running() { [[ -f "$STACK_DIR/$1.pid" ]] && kill -0 "$(cat "$STACK_DIR/$1.pid")" 2>/dev/null; }

# start NAME COMMAND...: in its own session, output to NAME.log, pid in NAME.pid.
start() {
  local name=$1; shift
  running "$name" && return 0
  setsid "$@" >>"$STACK_DIR/$name.log" 2>&1 < /dev/null &
  echo $! >"$STACK_DIR/$name.pid"
}

wait_http() {  # NAME URL: until URL answers, or fail with the log's tail
  local name=$1 url=$2 deadline=$((SECONDS + ${STACK_START_TIMEOUT:-240}))
  until curl -s -o /dev/null --max-time 2 "$url"; do
    if ! running "$name" || ((SECONDS > deadline)); then
      echo "stack: $name did not come up at $url; last lines of $STACK_DIR/$name.log:" >&2
      tail -n 20 "$STACK_DIR/$name.log" >&2
      return 1
    fi
    sleep 1
  done
}

ensure_nginx() {
  command -v nginx >/dev/null && return 0
  echo "stack: installing nginx from Debian's packages" >&2
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx
}

up() {
  ensure_nginx
  [[ -f models/bot.tar.gz ]] || { echo "stack: models/bot.tar.gz is missing: run make model" >&2; exit 1; }
  local api=()
  # The HTTP API (tracker, model, ...) is on only with a token.
  [[ -n "${RASA_AUTH_TOKEN:-}" ]] && api=(--enable-api --auth-token "$RASA_AUTH_TOKEN")
  $bin/python -m production.endpoints "$STACK_DIR/endpoints.yml"
  local i=0 port
  for port in $STACK_ACTION_PORTS; do
    start "actions-$((++i))" $bin/python -m action_server --port "$port"
  done
  # The console's checked model when it went live after models/bot.tar.gz was built (learning/retrain.py).
  local model
  model=$($bin/python -c 'from learning.retrain import model_to_start; print(model_to_start())')
  i=0
  for port in $STACK_RASA_PORTS; do
    # Rasa's CLI with the apology when the action server fails (rasa_patches/degradation.py).
    # Each replica keeps what PostgreSQL could not take in its own journal (conversation_store/journal.py).
    start "rasa-$((++i))" env TRACKER_JOURNAL_PATH="$STACK_DIR/journal-rasa-$i.db" \
      $bin/python -m rasa_server run --model "$model" \
      -i 127.0.0.1 --port "$port" --credentials credentials.yml --endpoints "$STACK_DIR/endpoints.yml" \
      --cors $CORS_ORIGINS "${api[@]}"
  done
  # WeChat's webhook: one front per replica, each sending its turns to its own replica.
  i=0
  local rasa_ports=($STACK_RASA_PORTS)
  for port in $STACK_WECHAT_PORTS; do
    start "wechat-$((i + 1))" $bin/python -m channels.wechat --port "$port" \
      --rasa-url "http://127.0.0.1:${rasa_ports[$i]}" --credentials credentials.yml
    i=$((i + 1))
  done
  # The widget's site and the staff console (web_app), behind nginx at / and /staff/.
  # 更新模型 loads a checked model into each replica in turn (learning/retrain.py, needs RASA_AUTH_TOKEN).
  start web env LEARNING_RASA_URLS="$(for port in $STACK_RASA_PORTS; do echo -n "http://127.0.0.1:$port "; done)" \
    $bin/python -m web_app --port "$STACK_WEB_PORT" --socket-url "http://localhost:${STACK_PORT}"
  local conf=$STACK_DIR/nginx/nginx.conf
  $bin/python -m production.nginx "$STACK_DIR/nginx" >"$conf.new"
  if running nginx; then
    # A reload closes idle keep-alive connections that clients may be about to reuse:
    # reload only when the configuration really changed.
    if ! cmp -s "$conf.new" "$conf"; then
      mv "$conf.new" "$conf"
      nginx -e "$STACK_DIR/nginx/error.log" -c "$conf" -s reload
    fi
    rm -f "$conf.new"
  else
    mv "$conf.new" "$conf"
    nginx -e "$STACK_DIR/nginx/error.log" -c "$conf"
    # nginx daemonizes itself; its master's pid is what stops it.
    for _ in $(seq 50); do [[ -s "$STACK_DIR/nginx/nginx.pid" ]] && break; sleep 0.1; done
    cp "$STACK_DIR/nginx/nginx.pid" "$STACK_DIR/nginx.pid"
  fi
  i=0
  for port in $STACK_ACTION_PORTS; do wait_http "actions-$((++i))" "http://127.0.0.1:$port/health"; done
  i=0
  for port in $STACK_RASA_PORTS; do wait_http "rasa-$((++i))" "http://127.0.0.1:$port/"; done
  i=0
  for port in $STACK_WECHAT_PORTS; do wait_http "wechat-$((++i))" "http://127.0.0.1:$port/webhooks/wechat/"; done
  wait_http web "http://127.0.0.1:$STACK_WEB_PORT/staff/login"
  echo "stack: REST http://localhost:${STACK_PORT}/webhooks/rest/webhook, socketio and WeChat on the same port," \
       "staff console http://localhost:${STACK_PORT}/staff/"
}

down() {
  local pidfile name pid
  for pidfile in "$STACK_DIR"/*.pid; do
    [[ -e "$pidfile" ]] || continue
    name=$(basename "$pidfile" .pid) pid=$(cat "$pidfile")
    if kill -0 "$pid" 2>/dev/null; then
      # Each part runs in its own session: the group takes its children along.
      if [[ $name == nginx ]]; then kill -TERM "$pid"; else kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"; fi
      for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
  done
  echo "stack: stopped"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac
