"""WeCom robot notification of new leads against a local webhook that is slow, fails, then works."""

import asyncio
import json
import logging
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from harness.bot_process import free_port
from leads import intake, notify, store
from tests.markers import starts_servers

REQUEST = dict(
    channel="rest",
    conversation_id="visitor-1",
    name="王先生",
    phone="13800138000",
    need="想做个小程序，多少钱",
    preferred_time="明天下午",
)
TIMEOUT = 1.0
SLOW = 2.0  # beyond TIMEOUT


class ScriptedWebhook:
    """Answers the n-th POST with script[n]: "slow" (then 504), ("http", status) or ("errcode", n);
    requests beyond the script succeed."""

    def __init__(self, script):
        self.script = list(script)
        self.requests = []  # (monotonic time, JSON body)
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                webhook.requests.append((time.monotonic(), body))
                n = len(webhook.requests) - 1
                kind, value = webhook.script[n] if n < len(webhook.script) else ("errcode", 0)
                if kind == "slow":
                    time.sleep(SLOW)
                    kind, value = "http", 504
                if kind == "http":
                    self.send_response(value)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                payload = json.dumps({"errcode": value, "errmsg": "ok" if value == 0 else "error"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/cgi-bin/webhook/send?key=secret-key"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
@starts_servers
def webhook_factory():
    servers = []

    def start(script):
        servers.append(ScriptedWebhook(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _notifier(url, engine, delays=(0.1, 0.2, 0.4)):
    return notify.WecomNotifier(url, engine=engine, timeout=TIMEOUT, retry_delays=delays)


def test_slow_then_failing_webhook_neither_loses_nor_delays_the_lead(engine, webhook_factory, monkeypatch, caplog):
    caplog.set_level(logging.INFO, logger="leads")
    monkeypatch.delenv("STAFF_BASE_URL", raising=False)
    monkeypatch.setenv("WEB_PORT", "8080")
    webhook = webhook_factory([("slow", None), ("http", 500), ("errcode", 0)])
    notifier = _notifier(webhook.url, engine)
    monkeypatch.setattr(notify, "default_notifier", lambda: notifier)

    started = time.monotonic()
    result = intake.record_lead(**REQUEST, engine=engine)
    elapsed = time.monotonic() - started

    assert elapsed < TIMEOUT, f"the visitor's reply waited {elapsed:.2f}s for the notification"
    assert result.created
    stored = store.get_lead(result.lead.id, engine=engine)
    assert stored is not None and stored.notified_at is None  # saved before any notification

    assert notifier.join(timeout=15)
    assert len(webhook.requests) == 3  # slow (timed out), 500, success
    gaps = [b[0] - a[0] for a, b in zip(webhook.requests, webhook.requests[1:])]
    assert gaps[0] >= TIMEOUT and gaps[1] >= 0.2  # timeout honoured, backoff grows
    assert store.get_lead(result.lead.id, engine=engine).notified_at is not None

    # A second confirmation of the same request neither stores nor notifies again.
    assert not intake.record_lead(**REQUEST, engine=engine).created
    time.sleep(0.5)
    assert len(webhook.requests) == 3
    assert len(store.list_leads(engine=engine)) == 1

    content = webhook.requests[-1][1]["markdown"]["content"]
    assert webhook.requests[-1][1]["msgtype"] == "markdown"
    assert "138****8000" in content and "13800138000" not in content
    assert "想做个小程序，多少钱" in content and "王先生" in content
    # Staff follow the link to the lead's page in the console, not a terminal command.
    assert f"](http://localhost:8080/staff/leads/{result.lead.id})" in content and "python -m" not in content
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "failed (attempt 1/4): timeout" in logged and "HTTP 500" in logged
    assert "13800138000" not in logged and "secret-key" not in logged


def test_async_callers_are_not_blocked(engine, webhook_factory, monkeypatch):
    webhook = webhook_factory([("slow", None)])
    notifier = _notifier(webhook.url, engine)
    monkeypatch.setattr(notify, "default_notifier", lambda: notifier)

    async def visitor_reply():
        started = time.monotonic()
        result = await intake.arecord_lead(**REQUEST, engine=engine)
        return result, time.monotonic() - started

    result, elapsed = asyncio.run(visitor_reply())
    assert result.created and elapsed < TIMEOUT
    assert notifier.join(timeout=10)
    assert store.get_lead(result.lead.id, engine=engine).notified_at is not None


def test_undeliverable_notification_keeps_the_lead_for_a_resend(engine, database_url, webhook_factory, caplog):
    failing = webhook_factory(
        [("http", 500), ("errcode", 45009)]
    )  # HTTP error, then WeCom's "too many messages" errcode
    notifier = _notifier(failing.url, engine, delays=(0.05,))
    lead = store.save_lead(**REQUEST, engine=engine).lead
    notifier.submit(lead)
    assert notifier.join(timeout=10)
    assert len(failing.requests) == 2
    assert "errcode 45009" in caplog.text and "giving up" in caplog.text
    assert [pending.id for pending in store.unnotified_leads(engine=engine)] == [lead.id]

    working = webhook_factory([])
    resend = subprocess.run(
        [sys.executable, "-m", "leads", "notify-pending"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=store.ROOT,
        env={
            "LEADS_DATABASE_URL": database_url,
            "LEADS_WECOM_WEBHOOK": working.url,
            "PYTHONPATH": str(store.ROOT),
            "PATH": "/usr/bin:/bin",
        },
    )
    assert resend.returncode == 0, resend.stderr
    assert "1 of 1 lead(s) notified" in resend.stderr
    assert len(working.requests) == 1
    assert store.unnotified_leads(engine=engine) == []


def test_visitor_text_can_plant_no_link_or_markup_in_the_staff_notification(monkeypatch):
    """Issue 23, item 3: the need and the time went into the robot's markdown as typed, so a
    visitor could add a link labelled like ours that points elsewhere."""
    monkeypatch.setenv("STAFF_BASE_URL", "https://kefu.example.com")
    lead = store.Lead(
        id=7,
        created_at=datetime.now(timezone.utc),
        channel="rest",
        conversation_id="visitor-1",
        name='<font color="warning">王</font>',
        phone="13800138000",
        wechat="wx_my_id",
        need="想做小程序\n[查看完整联系方式和对话](https://evil.example/steal) ![x](http://evil.example/p.png)",
        preferred_time='明天 **急** `code` <a href="https://evil.example">点我</a> &#91;x&#93; https://evil.example',
        status="new",
        contacted_at=None,
        notified_at=None,
        request_key="k",
    )
    content = notify.message(lead)["markdown"]["content"]
    assert content.count("](") == 1 and content.endswith("](https://kefu.example.com/staff/leads/7)")
    assert "evil.example/steal" not in content.replace("（", "(").split("](")[-1]
    for planted in ("](https://evil", "![", "**急**", "`code`", "<a ", "<font", "&#91;", "https://evil"):
        assert planted not in content, planted
    assert content.count("\n") == 6  # one line per field: a field cannot start a line of its own
    assert "想做小程序" in content and "查看完整联系方式和对话" in content and "138****8000" in content
