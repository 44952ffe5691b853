"""rasa_patches/action_apology.py: the apology instead of silence when a custom action fails."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from assistant.kb import load_kb
from harness.bot_process import free_port
from rasa_patches import action_apology
from tests.markers import starts_servers

action_apology.install()
CONTACTS = load_kb().contacts


class ActionServer(BaseHTTPRequestHandler):
    """Answers like rasa-sdk after `delay` seconds with `status`."""

    delay, status = 0.0, 200

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        time.sleep(self.delay)
        body = (
            json.dumps({"events": [], "responses": [{"text": "real answer"}]})
            if self.status == 200
            else json.dumps({"action_name": "action_x", "error": "declined"})
        )
        try:
            self.send_response(self.status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())
        except BrokenPipeError:
            pass  # Rasa stopped waiting (the timeout test)

    def log_message(self, *args):
        pass


@pytest.fixture
@starts_servers
def action_server():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), ActionServer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    ActionServer.delay, ActionServer.status = 0.0, 200


def run_action(port: int) -> list:
    domain = Domain.empty()
    action = RemoteAction("action_x", EndpointConfig(f"http://127.0.0.1:{port}/webhook"))
    return asyncio.run(
        action.run(
            CollectingOutputChannel(),
            TemplatedNaturalLanguageGenerator({}),
            DialogueStateTracker("v", domain.slots),
            domain,
        )
    )


def is_apology(events: list) -> bool:
    return (
        len(events) == 1
        and isinstance(events[0], BotUttered)
        and CONTACTS["phone"] in events[0].text
        and CONTACTS["wechat"] in events[0].text
    )


def test_action_server_down_gives_the_apology():
    assert is_apology(run_action(free_port()))


def test_slow_action_server_gives_the_apology_after_the_timeout(action_server, monkeypatch):
    monkeypatch.setenv("ACTION_TIMEOUT_SECONDS", "0.5")
    ActionServer.delay = 3
    started = time.monotonic()
    assert is_apology(run_action(action_server.server_port))
    assert time.monotonic() - started < 2


def test_answers_resume_when_the_action_server_is_back(action_server):
    assert is_apology(run_action(free_port()))
    assert [e.text for e in run_action(action_server.server_port)] == ["real answer"]


def test_a_rejection_still_lets_other_policies_answer(action_server):
    ActionServer.status = 400
    with pytest.raises(ActionExecutionRejection):
        run_action(action_server.server_port)
