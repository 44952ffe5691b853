"""A long conversation costs a turn no more than a short one: conversation_store/tracker_store.py
hands Rasa a bounded window (conversation_store/window.py) that still carries every slot
and the active form, on SQLite (`make run`) and PostgreSQL (the stack), while the events
table keeps the whole history."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid

import psycopg2
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from conversation_store import window
from conversation_store.tracker_store import LeanSQLTrackerStore
from harness.stack_process import require_services

DOMAIN = Domain.load("domain.yml")
SUBJECTS = ["taobao_operation", "promoter", "marketing_department", "network_promotion"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.e2e)])
def new_store(request, tmp_path):
    """Makes stores (several replicas) on one new database."""
    if request.param == "sqlite":
        path = tmp_path / "tracker.db"
        yield lambda: LeanSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
        return
    require_services()
    name = f"windows_test_{uuid.uuid4().hex[:8]}"
    yield lambda: LeanSQLTrackerStore(
        domain=DOMAIN,
        dialect="postgresql",
        host="127.0.0.1",
        port=5432,
        db=name,
        username="postgres",
        login_db="postgres",
    )
    conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    conn.autocommit = True
    conn.cursor().execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    conn.close()


def visitor_turn(tracker: DialogueStateTracker, i: int) -> None:
    tracker.update(UserUttered(f"第{i}个问题", {"name": "ask_comparison", "confidence": 0.9}))
    tracker.update(SlotSet("subject", SUBJECTS[i % len(SUBJECTS)]))
    tracker.update(ActionExecuted("action_answer_comparison"))
    tracker.update(BotUttered(f"第{i}个回答"))
    tracker.update(ActionExecuted("action_listen"))


def chat(store: LeanSQLTrackerStore, sender: str, turns: int, first: int = 0) -> DialogueStateTracker:
    """`turns` turns, each loaded and saved as Rasa does."""
    for i in range(first, first + turns):
        tracker = asyncio.run(store.retrieve(sender))
        visitor_turn(tracker, i)
        asyncio.run(store.save(tracker))
    return asyncio.run(store.retrieve(sender))


def start(store: LeanSQLTrackerStore, *opening) -> str:
    sender = f"visitor-{uuid.uuid4().hex[:8]}"
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(), *opening, ActionExecuted("action_listen")):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    return sender


def test_a_long_conversation_loads_a_bounded_window_with_its_state_and_keeps_everything(new_store):
    store = new_store()
    sender = start(store, SlotSet("script", "traditional"), SlotSet("lead_name", "王先生"))
    lengths = []
    for block in range(10):
        loaded = chat(store, sender, 20, first=block * 20)
        lengths.append(len(loaded.events))

    assert max(lengths) <= window.TRIM_AT_EVENTS + len(DOMAIN.slots) + 1
    # What was said 200 turns ago still shapes the conversation; the latest turn is there.
    assert loaded.get_slot("script") == "traditional" and loaded.get_slot("lead_name") == "王先生"
    assert loaded.get_slot("subject") == SUBJECTS[199 % len(SUBJECTS)]
    assert loaded.latest_message.text == "第199个问题"
    # Another replica loads the same window; the full history is all there.
    other = asyncio.run(new_store().retrieve(sender))
    assert [e.as_dict() for e in other.events] == [e.as_dict() for e in loaded.events]
    everything = asyncio.run(store.retrieve_full_tracker(sender))
    asked = [e.text for e in everything.events if isinstance(e, UserUttered)]
    assert asked == [f"第{i}个问题" for i in range(200)]


def test_a_form_active_before_the_window_is_still_active_in_it(new_store):
    store = new_store()
    sender = start(
        store, ActiveLoop("callback_form"), SlotSet("requested_slot", "lead_contact"), SlotSet("lead_need", "网络推广")
    )
    loaded = chat(store, sender, 40)
    assert len(loaded.events) < 40 * 5
    assert loaded.active_loop_name == "callback_form"
    assert loaded.get_slot("requested_slot") == "lead_contact" and loaded.get_slot("lead_need") == "网络推广"


def test_a_new_session_starts_a_new_window(new_store):
    store = new_store()
    sender = start(store)
    tracker = chat(store, sender, 30)
    later = time.time() + 3600
    for event in (
        ActionExecuted("action_session_start", timestamp=later),
        SessionStarted(timestamp=later),
        SlotSet("subject", "promoter", timestamp=later),
        ActionExecuted("action_listen", timestamp=later),
    ):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    tracker = chat(store, sender, 2, first=500)
    assert [e.text for e in tracker.events if isinstance(e, UserUttered)] == ["第500个问题", "第501个问题"]
    assert isinstance(tracker.events[0], SessionStarted)


def test_embedded_conversations_survive_a_restart_in_the_sqlite_file(tmp_path):
    path = tmp_path / "tracker.db"
    first = LeanSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path))
    sender = start(first)
    chat(first, sender, 3)
    again = asyncio.run(LeanSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(path)).retrieve(sender))
    assert again.latest_message.text == "第2个问题"
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (sender,)).fetchone()[0] == 3 + 3 * 5
