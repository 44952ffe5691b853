"""The queue of requests for a person: presence, place, accept once, missed, idle, figures."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from leads import store
from privacy import audit
from takeover import queue


@pytest.fixture
def engine(tmp_path, monkeypatch):
    monkeypatch.setenv("TAKEOVER_ACCEPT_SECONDS", "60")
    monkeypatch.setenv("TAKEOVER_IDLE_SECONDS", "600")
    return store.make_engine(f"sqlite:///{tmp_path / 'leads.db'}")


def test_nobody_online_is_recorded_as_missed_and_gets_no_place(engine):
    assert queue.ask("web:a", "socketio", engine=engine) is None
    queue.set_presence("小王", False, engine=engine)
    assert queue.ask("web:a", "socketio", engine=engine) is None
    missed = queue.listed(queue.MISSED, engine=engine)
    assert [(r.conversation_id, r.reason) for r in missed] == [("web:a", queue.NOBODY_ONLINE)] * 2


def test_an_agent_who_closed_the_console_is_not_online(engine):
    queue.set_presence("小王", True, engine=engine)
    assert queue.agents_online(engine=engine) == ["小王"]
    later = datetime.now(timezone.utc) + timedelta(seconds=queue.PRESENCE_SECONDS + 1)
    assert queue.agents_online(engine=engine, now=later) == []


def test_places_in_order_and_one_request_per_conversation(engine):
    queue.set_presence("小王", True, engine=engine)
    first = queue.ask("web:a", "socketio", engine=engine)
    second = queue.ask("web:b", "socketio", engine=engine)
    assert (first.place, second.place, first.accept_seconds) == (1, 2, 60)
    assert queue.ask("web:b", "socketio", engine=engine).request_id == second.request_id  # asked again
    assert queue.accept(first.request_id, "小王", engine=engine).agent == "小王"
    assert queue.accept(first.request_id, "小李", engine=engine) is None  # taken once
    assert queue.end(first.request_id, queue.HANDED_BACK, agent="小王", engine=engine).reason == queue.HANDED_BACK
    logged = [(line.actor, line.action, line.detail) for line in audit.recent(engine)]
    assert logged == [
        ("小王", "hand_back", f"request #{first.request_id}"),
        ("小王", "takeover", f"request #{first.request_id}"),
    ]
    assert queue.ask("web:b", "socketio", engine=engine).place == 1


def test_overdue_requests_are_missed_and_quiet_conversations_end(engine):
    queue.set_presence("小王", True, engine=engine)
    waiting = queue.ask("web:a", "socketio", engine=engine)
    taken = queue.ask("web:b", "socketio", engine=engine)
    queue.accept(taken.request_id, "小王", engine=engine)
    assert queue.overdue(engine=engine) == ([], [])
    missed, ended = queue.overdue(engine=engine, now=datetime.now(timezone.utc) + timedelta(seconds=601))
    assert [(r.id, r.reason) for r in missed] == [(waiting.request_id, queue.NOT_ACCEPTED)]
    assert [(r.id, r.reason) for r in ended] == [(taken.request_id, queue.IDLE)]
    assert queue.end(taken.request_id, queue.HANDED_BACK, engine=engine) is None  # already ended


def test_figures_count_requests_answers_misses_and_the_median_wait(engine):
    start = datetime.now(timezone.utc) - timedelta(minutes=1)
    queue.ask("web:nobody", "socketio", engine=engine)
    queue.set_presence("小王", True, engine=engine)
    for name in ("web:a", "web:b"):
        queue.accept(queue.ask(name, "socketio", engine=engine).request_id, "小王", engine=engine)
    figures = queue.figures(start, engine=engine)
    assert (figures.requests, figures.answered, figures.missed) == (3, 2, 1)
    assert figures.median_wait_seconds is not None and figures.median_wait_seconds < 5
    assert figures.conversations == ["web:a", "web:b"]


def test_erasure_and_retention_forget_who_asked_for_a_person(engine):
    queue.ask("web:erased", "socketio", engine=engine)
    queue.ask("web:kept", "socketio", engine=engine)
    with engine.begin() as connection:
        assert queue.forget(connection, conversations=["web:erased"]) == 1
        assert queue.forget(connection, conversations=[]) == 0
    assert [r.conversation_id for r in queue.listed(queue.MISSED, engine=engine)] == ["web:kept"]
    with engine.begin() as connection:
        assert queue.forget(connection, before=datetime.now(timezone.utc) + timedelta(seconds=1)) == 1
    assert queue.listed(queue.MISSED, engine=engine) == []


def test_a_visitor_who_chose_a_callback_leaves_the_queue(engine):
    queue.set_presence("小王", True, engine=engine)
    place = queue.ask("web:a", "socketio", engine=engine)
    assert queue.withdraw("web:a", engine=engine) and not queue.withdraw("web:a", engine=engine)
    assert queue.accept(place.request_id, "小王", engine=engine) is None
    assert queue.get(place.request_id, engine=engine).reason == queue.CALLBACK
