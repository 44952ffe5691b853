"""The operator's view of a running assistant: /metrics on the Rasa server, the action server and
the web app, and /ready, which fails when a store the turns need does not answer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from prometheus_client.parser import text_string_to_metric_families

from harness.bot_process import BotProcess
from harness.private_services import PrivatePostgres
from tests.markers import starts_servers


def get(url: str, headers: dict | None = None) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def value(text: str, name: str, **labels) -> float:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def test_metrics_show_a_rest_turn_and_a_handoff(bot):
    _, before = get(f"{bot.url}/metrics")
    bot.say(f"ops-{uuid.uuid4().hex[:8]}", "我要人工客服")
    status, after = get(f"{bot.url}/metrics")
    assert status == 200
    assert (
        value(after, "assistant_turns_total", channel="rest")
        == value(before, "assistant_turns_total", channel="rest") + 1
    )
    assert value(after, "assistant_turn_seconds_count", channel="rest") >= 1
    status, actions = get(f"http://127.0.0.1:{bot.action_port}/metrics")
    assert status == 200 and value(actions, "assistant_handoffs_total", channel="rest") >= 1


def test_metrics_and_readiness_refuse_a_request_that_came_through_a_proxy(bot):
    for path in ("/metrics", "/ready"):
        status, body = get(f"{bot.url}{path}", {"X-Forwarded-For": "203.0.113.9"})
        assert status == 403 and "METRICS_TOKEN" in body
    status, _ = get(f"http://127.0.0.1:{bot.action_port}/metrics", {"X-Real-IP": "203.0.113.9"})
    assert status == 403


def test_ready_when_the_model_the_stores_and_the_action_server_answer(bot):
    status, body = get(f"{bot.url}/ready")
    assert status == 200, body
    assert json.loads(body) == {
        "ready": True,
        "failed": [],
        "checks": {"model": "ok", "tracker_store": "ok", "lock_store": "ok", "action_server": "ok"},
    }


@pytest.fixture(scope="module")
@starts_servers
def bot_on_postgresql(tmp_path_factory):
    with PrivatePostgres() as postgres:
        running = BotProcess(env={"METRICS_TOKEN": "operator-token-123"})
        endpoints = tmp_path_factory.mktemp("endpoints") / "endpoints.yml"
        endpoints.write_text(
            f"""action_endpoint:
  url: http://127.0.0.1:{running.action_port}/webhook
tracker_store:
  type: conversation_store.tracker_store.LeanSQLTrackerStore
  dialect: postgresql
  url: 127.0.0.1
  port: {postgres.port}
  db: conversations
  username: postgres
  login_db: postgres
"""
        )
        running.endpoints = endpoints
        with running:
            yield running, postgres


def test_not_ready_while_the_tracker_store_is_down_and_ready_again_after(bot_on_postgresql):
    bot, postgres = bot_on_postgresql
    token = {"Authorization": "Bearer operator-token-123"}
    assert get(f"{bot.url}/ready", token)[0] == 200
    postgres.stop()
    try:
        status, body = get(f"{bot.url}/ready", {**token, "X-Forwarded-For": "203.0.113.9"})  # the token suffices
        assert status == 503, body
        answer = json.loads(body)
        assert answer["ready"] is False and answer["failed"] == ["tracker_store"]
        assert answer["checks"]["action_server"] == "ok"
    finally:
        postgres.start()
    assert get(f"{bot.url}/ready", token)[0] == 200
