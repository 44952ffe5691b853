"""A staff member deletes one visitor's data on request in the console (/staff/privacy): found by
phone number, deleted with the conversations, and the deletion is in the audit log."""

from __future__ import annotations

import html
import time

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain

from conversation_store.tracker_store import LeanSQLTrackerStore
from leads import store
from tests.markers import starts_servers
from tests.privacy.test_privacy import conversation, lead, lead_ids, senders
from tests.web.widget import WebServer
from tests.web_app.test_staff_console import PASSWORD, Client


@pytest.fixture(scope="module")
@starts_servers
def console(tmp_path_factory):
    d = tmp_path_factory.mktemp("privacy")
    tracker_store = LeanSQLTrackerStore(domain=Domain.load("domain.yml"), dialect="sqlite", db=str(d / "tracker.db"))
    leads_engine = store.make_engine(f"sqlite:///{d / 'leads.db'}")
    conversation(tracker_store, "web:theirs", ["请客服回电", "13800138000"], time.time())
    conversation(tracker_store, "web:someone-else", ["什么是无形价值"], time.time())
    lead(leads_engine, "web:theirs", phone="13800138000")
    env = {
        "STAFF_PASSWORD": PASSWORD,
        "TRACKER_SQLITE_PATH": str(d / "tracker.db"),
        "LEADS_DATABASE_URL": f"sqlite:///{d / 'leads.db'}",
    }
    with WebServer("http://127.0.0.1:5005", env=env) as web:
        client = Client(web.url.rstrip("/"))
        client.request("/staff/login")
        client.request("/staff/login", {"username": "admin", "password": PASSWORD, "csrf": client.cookie("staff_csrf")})
        yield client, leads_engine, sa.create_engine(f"sqlite:///{d / 'tracker.db'}")


def test_find_a_visitor_by_phone_and_delete_them_with_an_audit_line(console):
    client, leads_engine, tracker_engine = console
    status, _, page = client.request("/staff/privacy?q=138%200013%208000")
    assert status == 200 and "1 条回电登记，1 段对话" in page and "web:theirs" in page
    csrf = client.cookie("staff_csrf")
    refused = client.request("/staff/privacy/erase", {"q": "13800138000", "csrf": csrf, "actor": "张经理"})
    assert refused[0] == 400 and "勾选确认" in refused[2]  # no confirmation: nothing deleted
    assert senders(tracker_engine) == {"web:theirs", "web:someone-else"}
    status, _, page = client.request(
        "/staff/privacy/erase", {"q": "13800138000", "csrf": csrf, "actor": "张经理", "confirm": "yes"}
    )
    assert status == 200 and "已删除" in page and "记入操作日志" in page
    assert senders(tracker_engine) == {"web:someone-else"} and lead_ids(leads_engine) == set()
    assert "张经理" in page and "删除访客信息" in page and "13800138000" not in page


def test_bad_searches_get_a_clear_400_and_a_forged_erase_is_refused(console):
    client, _, _ = console
    status, _, page = client.request("/staff/privacy?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert status == 400 and "不是手机号或微信号" in page and "<script>alert" not in page
    assert html.escape("<script>") in page
    assert client.request("/staff/privacy?q=" + "1" * 5000)[0] == 400
    # No CSRF token: a cross-site form cannot erase anyone.
    assert client.request("/staff/privacy/erase", {"q": "13900139000", "actor": "x", "confirm": "yes"})[0] == 403
    assert Client(client.base).request("/staff/privacy")[0] == 302  # not logged in
