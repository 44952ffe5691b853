"""The widget's request for a person (issue 26): queued with its place when an agent is online;
otherwise today's contacts and callback offer, recorded as missed, and the WeCom robot told."""

from __future__ import annotations

import time

import pytest

from actions.handoff import ActionHandoff
from leads import store
from takeover import queue
from tests.action_helpers import run, text_of, titles, tracker

PHONE = "175-8598-2043"


@pytest.fixture
def leads(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'leads.db'}"
    monkeypatch.setenv("LEADS_DATABASE_URL", url)
    monkeypatch.setenv("TAKEOVER_ACCEPT_SECONDS", "45")
    monkeypatch.setenv("OFFICE_HOURS", "mon-sun 00:00-24:00")
    return store.default_engine()


def test_with_an_agent_online_the_visitor_is_queued_with_place_and_honest_wait(leads):
    queue.set_presence("小王", True, engine=leads)
    messages, _ = run(ActionHandoff(), tracker("人工客服", "request_human", channel="socketio"))
    said = text_of(messages)
    assert "排在第 1 位" in said and "45 秒" in said and PHONE not in said
    assert titles(messages) == ["请客服回电"]
    assert [r.conversation_id for r in queue.listed(queue.WAITING, engine=leads)] == ["visitor"]


def test_nobody_online_gives_the_contacts_records_a_miss_and_tells_the_wecom_group(leads, monkeypatch):
    monkeypatch.setenv("LEADS_WECOM_WEBHOOK", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    monkeypatch.setenv("STAFF_BASE_URL", "https://kefu.example.com")
    posted = []
    monkeypatch.setattr("takeover.notify.post", lambda url, body: posted.append((url, body)))
    messages, _ = run(ActionHandoff(), tracker("人工客服", "request_human", channel="socketio"))
    assert PHONE in text_of(messages) and "请客服回电" in titles(messages)
    assert queue.listed(queue.MISSED, engine=leads)[0].reason == queue.NOBODY_ONLINE
    for _ in range(50):
        if posted:
            break
        time.sleep(0.02)
    content = posted[0][1]["markdown"]["content"]
    assert "没有客服在线" in content and "网站对话框" in content
    assert "(https://kefu.example.com/staff/takeover)" in content


def test_a_request_from_rest_keeps_todays_behaviour(leads):
    queue.set_presence("小王", True, engine=leads)
    messages, _ = run(ActionHandoff(), tracker("人工客服", "request_human", channel="rest"))
    assert PHONE in text_of(messages) and queue.listed(queue.WAITING, engine=leads) == []


def test_outside_office_hours_an_online_agent_is_not_asked_and_the_miss_says_why(leads, monkeypatch):
    monkeypatch.setenv("OFFICE_HOURS", "Mon 03:00-03:01")
    monkeypatch.setattr("takeover.notify.post", lambda url, body: pytest.fail("the group was told after hours"))
    monkeypatch.setenv("LEADS_WECOM_WEBHOOK", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    queue.set_presence("小王", True, engine=leads)
    messages, _ = run(ActionHandoff(), tracker("人工客服", "request_human", channel="socketio"))
    assert PHONE in text_of(messages) and "排在" not in text_of(messages)
    assert queue.listed(queue.MISSED, engine=leads)[0].reason == queue.AFTER_HOURS
