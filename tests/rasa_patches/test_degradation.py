"""rasa_patches/degradation.py: the apology instead of silence, and the stack's nginx.conf."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from assistant.kb import load_kb
from harness.bot_process import free_port
from production.nginx import Settings, render
from rasa_patches import degradation
from tests.markers import starts_servers

degradation.install()
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


class BrokenLock:
    def lock(self, sender_id):
        raise LockError("Error while acquiring lock: Redis is down")


def test_lock_store_outage_gives_the_apology_not_an_empty_reply():
    agent = SimpleNamespace(is_ready=lambda: True, lock_store=BrokenLock())
    collector = CollectingOutputChannel()
    asyncio.run(Agent.handle_message(agent, UserMessage("你好", collector, "v")))
    assert len(collector.messages) == 1 and CONTACTS["phone"] in collector.messages[0]["text"]


@pytest.mark.e2e
def test_generated_nginx_conf_is_valid(tmp_path):
    nginx = shutil.which("nginx") or pytest.fail("nginx is missing: `make stack-up` installs it")
    conf = tmp_path / "nginx.conf"
    conf.write_text(
        render(
            Settings(
                port=free_port(),
                action_port=free_port(),
                web_port=free_port(),
                rasa_ports=[5005, 5006],
                action_ports=[5055],
            ),
            tmp_path,
        )
    )
    result = subprocess.run(
        [nginx, "-t", "-q", "-e", str(tmp_path / "error.log"), "-c", str(conf)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
