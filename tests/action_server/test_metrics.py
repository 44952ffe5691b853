"""The action server counts the action calls that failed, by action, in its /metrics; a call
refused for lacking the secret is not one of them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from harness.bot_process import ActionServerProcess
from tests.action_server.test_secret import FORGED_SAVE
from tests.channels.test_operations import get, value
from tests.markers import starts_servers


@pytest.fixture(scope="module")
@starts_servers
def actions():
    with ActionServerProcess() as running:
        yield running


def call(actions, action: str, headers: dict) -> int:
    body = json.dumps({**FORGED_SAVE, "next_action": action}).encode()
    request = urllib.request.Request(actions.webhook_url, body, {"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def test_an_unknown_action_is_counted_and_an_unsigned_call_is_not(actions):
    metrics_url = f"http://127.0.0.1:{actions.port}/metrics"
    assert call(actions, "action_not_in_this_server", actions.headers) == 404
    assert call(actions, "action_unsigned_call", {}) == 401
    status, text = get(metrics_url)
    assert status == 200
    assert value(text, "assistant_action_errors_total", action="action_not_in_this_server") == 1
    assert value(text, "assistant_action_errors_total", action="action_unsigned_call") == 0
