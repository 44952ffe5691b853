"""Only our Rasa servers can call the action server: it listens on loopback and wants the secret."""

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from action_server import secret
from harness.bot_process import ROOT, ActionServerProcess, BotProcess
from leads.store import list_leads, make_engine
from tests.markers import starts_servers

pytestmark = pytest.mark.e2e  # starts the assistant's processes

FORGED_SAVE = {
    "next_action": "action_save_lead",
    "version": "3.6.2",
    "domain": {},
    "tracker": {
        "sender_id": "attacker",
        "slots": {"lead_name": "伪造", "lead_contact": "13800138000", "lead_need": "假的", "lead_time": "明天"},
        "latest_message": {},
        "events": [],
        "paused": False,
        "latest_event_time": None,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": None,
    },
}


def post(url, body, headers=None):
    request = urllib.request.Request(
        url, json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def lan_address():
    """An address of this machine that is not loopback, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
@starts_servers
def actions(tmp_path_factory):
    db = tmp_path_factory.mktemp("leads") / "leads.db"
    with ActionServerProcess(env={"LEADS_DATABASE_URL": f"sqlite:///{db}"}) as server:
        server.engine = make_engine(f"sqlite:///{db}")
        yield server


def test_a_forged_action_call_is_refused_and_stores_no_lead(actions):
    assert post(actions.webhook_url, FORGED_SAVE) == 401
    assert post(actions.webhook_url, FORGED_SAVE, {secret.HEADER: "guessed-secret-0123456789"}) == 403
    assert list_leads(engine=actions.engine) == []


def test_with_the_secret_the_actions_are_served(actions):
    listing = urllib.request.Request(actions.webhook_url.replace("/webhook", "/actions"), headers=actions.headers)
    with urllib.request.urlopen(listing, timeout=30) as response:
        assert "action_save_lead" in {a["name"] for a in json.load(response)}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(actions.webhook_url.replace("/webhook", "/actions"), timeout=30)
    assert refused.value.code == 401


def test_a_wrong_method_or_a_body_that_is_not_json_gets_its_own_status_not_500(actions):
    """Issue 23: POST /health answered 500 (rasa_sdk's catch-all) with a traceback in the log."""
    health = actions.webhook_url.replace("/webhook", "/health")
    for method in ("POST", "PUT", "DELETE"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(urllib.request.Request(health, data=b"{}", method=method), timeout=30)
        assert refused.value.code == 405 and "GET" in refused.value.headers.get("Allow", "")
    with urllib.request.urlopen(health, timeout=30) as response:
        assert response.status == 200
    request = urllib.request.Request(
        actions.webhook_url,
        data=b"{not json",
        method="POST",
        headers={**actions.headers, "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 400
    log = (actions.log_dir / "actions.log").read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log


def test_the_action_server_is_not_reachable_from_the_network(actions):
    address = lan_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address")
    with pytest.raises(OSError):
        socket.create_connection((address, actions.port), timeout=2).close()


def test_without_a_secret_the_action_server_refuses_to_start():
    env = {k: v for k, v in __import__("os").environ.items() if k != secret.ENV}
    done = subprocess.run(
        [sys.executable, "-m", "action_server", "--port", "1"],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and secret.ENV in done.stderr


def test_the_rasa_server_sends_the_secret_and_answers():
    with BotProcess() as bot:
        replies = bot.say("auth-check", "淘宝运营和推广专员有什么区别")
        assert replies and "推广" in " ".join(r.get("text", "") for r in replies)
        assert "抱歉" not in replies[0].get("text", "")
