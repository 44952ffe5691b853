"""Lead floods (issue 23, item 9): limits per conversation, per phone number per day and per
address; a lead that looks automated is stored flagged and shown to staff, not pushed to the
group and not dropped."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest

from leads import intake, notify, screening, store

LIMITS = {
    "LEADS_PER_CONVERSATION": "3",
    "LEADS_PER_CONTACT_PER_DAY": "3",
    "LEADS_PER_ADDRESS_PER_DAY": "30",
    "LEADS_FLAG_PER_ADDRESS_PER_HOUR": "5",
    "LEADS_FAST_FORM_SECONDS": "4",
}


@pytest.fixture(autouse=True)
def limits(monkeypatch):
    """The production limits (tests/conftest.py turns them off for the other tests)."""
    for name, value in LIMITS.items():
        monkeypatch.setenv(name, value)


def lead(n: int, **change) -> dict:
    return {
        "channel": "rest",
        "conversation_id": f"flood-{n}",
        "name": "王先生",
        "phone": f"139{n:08d}",
        "need": "想做小程序",
        "preferred_time": "随时",
        **change,
    }


def test_a_flood_from_one_address_is_flagged_then_refused(engine):
    """The tester's flood: random numbers, a new conversation each time, one address."""
    results = [store.save_lead(**lead(n, client_address="203.0.113.9"), engine=engine) for n in range(40)]
    stored = [r.lead for r in results if r.created]
    assert len(stored) == 30  # LEADS_PER_ADDRESS_PER_DAY
    assert [r.refused for r in results[30:]] == ["address_limit"] * 10
    assert [lead.flag for lead in stored[:5]] == [None] * 5
    assert {lead.flag for lead in stored[5:]} == {"address_burst"}  # shown to staff, flagged
    # Another address is not held back by this one's flood.
    other = store.save_lead(**lead(99, client_address="198.51.100.7"), engine=engine)
    assert other.created and other.lead.flag is None


def test_one_conversation_leaves_at_most_three_leads(engine):
    needs = ["小程序", "网站", "公众号", "企业邮箱"]
    results = [
        store.save_lead(**lead(1, phone=f"1370000000{i}", need=need), engine=engine) for i, need in enumerate(needs)
    ]
    assert [r.created for r in results] == [True, True, True, False]
    assert results[-1].refused == "conversation_limit" and results[-1].lead is None
    # The same request confirmed again is "already stored", not a refusal.
    again = store.save_lead(**lead(1, phone="13700000000", need="小程序"), engine=engine)
    assert not again.created and again.refused is None and again.lead == results[0].lead


def test_one_persons_number_from_many_conversations_is_taken_three_times_a_day(engine, monkeypatch):
    now = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
    monkeypatch.setattr(store, "_now", lambda: now)
    results = [store.save_lead(**lead(n, phone="138 0013 8000"), engine=engine) for n in range(5)]
    assert [r.created for r in results] == [True, True, True, False, False]
    assert {r.refused for r in results[3:]} == {"contact_limit"}
    wechat = [store.save_lead(**lead(10 + n, phone=None, wechat="wx_victim"), engine=engine) for n in range(4)]
    assert [r.created for r in wechat] == [True, True, True, False]
    monkeypatch.setattr(store, "_now", lambda: now + timedelta(days=1, minutes=1))
    assert store.save_lead(**lead(20, phone="13800138000"), engine=engine).created  # a new day


def test_a_form_filled_faster_than_a_person_types_is_flagged():
    events = [{"event": "user", "timestamp": 1000.0 + 0.2 * i} for i in range(5)]
    assert screening.form_seconds(events) == pytest.approx(0.6)  # the last four messages
    assert screening.form_seconds(events[:3]) is None
    human = [{"event": "user", "timestamp": 1000.0 + 9 * i} for i in range(5)]
    assert screening.form_seconds(human) == 27


def test_flagged_leads_are_stored_and_listed_but_not_pushed_to_the_group(engine, monkeypatch):
    sent = []

    class Recorder:
        def submit(self, lead):
            sent.append(lead.id)

    monkeypatch.setattr(notify, "default_notifier", lambda: Recorder())
    fast = intake.record_lead(**lead(1), form_seconds=0.4, engine=engine)
    slow = intake.record_lead(**lead(2), form_seconds=35.0, engine=engine)
    assert fast.created and fast.lead.flag == "fast_form"
    assert slow.created and slow.lead.flag is None
    assert sent == [slow.lead.id]
    assert [pending.id for pending in store.unnotified_leads(engine=engine)] == [slow.lead.id]
    assert [x.id for x in store.search_leads(flagged=True, engine=engine)] == [fast.lead.id]
    assert [x.id for x in store.search_leads(flagged=False, engine=engine)] == [slow.lead.id]
    assert len(store.list_leads(engine=engine)) == 2
    assert "表单" in screening.describe(fast.lead.flag)


def test_limits_can_be_turned_off(engine, monkeypatch):
    monkeypatch.setenv("LEADS_PER_ADDRESS_PER_DAY", "0")
    monkeypatch.setenv("LEADS_FLAG_PER_ADDRESS_PER_HOUR", "0")
    for n in range(35):
        assert store.save_lead(**lead(n, client_address="127.0.0.1"), engine=engine).lead.flag is None


def test_an_address_that_is_not_one_is_not_stored(engine):
    saved = store.save_lead(**lead(1, client_address="<script>"), engine=engine)
    assert saved.created and saved.lead.client_address is None
    v6 = store.save_lead(**lead(2, client_address=" 2001:DB8::1 "), engine=engine)
    assert v6.lead.client_address == "2001:db8::1"


def test_the_save_action_passes_the_channels_address_and_answers_a_refusal(monkeypatch):
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions import callback
    from assistant.kb import load_kb

    calls = []

    async def refuse(**fields):
        calls.append(fields)
        return store.SaveResult(lead=None, created=False, refused="contact_limit")

    monkeypatch.setattr(callback, "arecord_lead", refuse)
    slots = {"lead_name": "王先生", "lead_contact": "13800138000", "lead_need": "小程序", "lead_time": "随时"}
    events = [{"event": "user", "text": "确认", "timestamp": 100.0 + random.random()} for _ in range(4)]
    message = {"text": "确认", "intent": {"name": "affirm"}, "metadata": {"client_address": "203.0.113.9"}}
    tracker = Tracker("visitor", slots, message, events, False, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    asyncio.run(callback.ActionSaveLead().run(dispatcher, tracker, {}))
    assert calls[0]["client_address"] == "203.0.113.9" and calls[0]["form_seconds"] < 1
    shown = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert load_kb().contacts["phone"] in shown and "已经收到" in shown
