"""Ratings (issue 23, item 5): only a conversation's own widget session rates it, once per
answer and once per conversation; the table stays bounded. Without a server; the HTTP side
(403, 409, 429 through the web app) is in test_staff_console.py."""

from __future__ import annotations

import time

import pytest

from channels import rating_token
from tests.conversation_store.events import events_engine, insert, turn
from web_app import ratings as ratings_module
from web_app.ratings import AddressRate, AlreadyRated, Forged, NothingToRate, Ratings, parse

SECRET = "a-secret-the-rasa-servers-share"


@pytest.fixture
def ratings(tmp_path):
    engine = events_engine(tmp_path / "tracker.db")
    now = time.time()
    insert(engine, turn("web:session-aaaa1", now, "淘宝运营和推广专员有什么区别", "action_answer_comparison"))
    insert(engine, turn("web:session-aaaa1", now + 5, "那能力要求呢", "action_answer_comparison"))
    return Ratings(engine, SECRET)


def body(session="session-aaaa1", kind="answer", target="1", value="down", token=None):
    conversation = f"web:{session}"
    return {
        "session_id": session,
        "kind": kind,
        "target": target,
        "value": value,
        "token": rating_token.issue(conversation, SECRET) if token is None else token,
    }


def rate(ratings, **change):
    conversation, token, kind, target, value = parse(body(**change))
    ratings.check(conversation, token)
    ratings.record(conversation, kind, target, value)


def test_only_the_conversations_own_token_rates_it(ratings):
    with pytest.raises(Forged):
        rate(ratings, token="")
    with pytest.raises(Forged):
        rate(ratings, token=rating_token.issue("web:someone-else1", SECRET))
    with pytest.raises(Forged):
        rate(ratings, token=rating_token.issue("web:session-aaaa1", "another-secret-0123456"))
    rate(ratings)
    assert ratings.counts(0) == {("answer", "down"): 1}


def test_an_answer_and_a_conversation_are_rated_once_and_the_first_stands(ratings):
    rate(ratings, value="down")
    with pytest.raises(AlreadyRated):
        rate(ratings, value="up")
    rate(ratings, target="2", value="up")
    rate(ratings, kind="chat", value="bad")
    with pytest.raises(AlreadyRated):
        rate(ratings, kind="chat", value="good")
    assert ratings.counts(0) == {("answer", "down"): 1, ("answer", "up"): 1, ("chat", "bad"): 1}


def test_only_answers_the_conversation_has_can_be_rated(ratings):
    with pytest.raises(NothingToRate):
        rate(ratings, target="3")  # two answers so far
    with pytest.raises(NothingToRate):
        rate(ratings, session="never-spoke-1", kind="chat", value="bad")
    with pytest.raises(ratings_module.BadRating):
        rate(ratings, target="0")


def test_the_table_is_bounded(ratings, monkeypatch):
    monkeypatch.setattr(ratings_module, "MAX_ROWS", 3)
    now = time.time()
    for n in range(6):
        session = f"session-b{n:05d}"
        insert(ratings.engine, turn(f"web:{session}", now, "你好", "action_greet"))
        rate(ratings, session=session, kind="chat", value="ok")
    ratings.prune()
    assert sum(ratings.counts(0).values()) == 3
    monkeypatch.setattr(ratings, "clock", lambda: now + (ratings_module.RETENTION_DAYS + 1) * 86400)
    ratings.prune()
    assert ratings.counts(0) == {}


def test_each_address_gets_a_burst_then_a_slow_rate():
    clock = [0.0]
    rate_limit = AddressRate(burst=3, per_second=0.5, clock=lambda: clock[0])
    assert [rate_limit.wait("203.0.113.9") for _ in range(3)] == [0, 0, 0]
    assert rate_limit.wait("203.0.113.9") == pytest.approx(2.0)
    assert rate_limit.wait("198.51.100.7") == 0  # another address
    clock[0] += 2
    assert rate_limit.wait("203.0.113.9") == 0


def test_a_table_from_before_keeps_the_first_rating_of_each_answer(tmp_path):
    import sqlalchemy as sa

    engine = events_engine(tmp_path / "old.db")
    with engine.begin() as connection:
        connection.execute(
            sa.text(
                "CREATE TABLE visitor_ratings (id INTEGER PRIMARY KEY, conversation_id VARCHAR(255) NOT NULL, "
                "kind VARCHAR(16) NOT NULL, target VARCHAR(16) NOT NULL, value VARCHAR(16) NOT NULL, created_at FLOAT NOT NULL)"
            )
        )
        for value in ("bad", "bad", "good"):
            connection.execute(
                sa.text(
                    "INSERT INTO visitor_ratings (conversation_id, kind, target, value, created_at) VALUES ('web:x', 'chat', '', :v, 1)"
                ),
                {"v": value},
            )
    assert Ratings(engine, SECRET).counts(0) == {("chat", "bad"): 2, ("chat", "good"): 1}
    fixed = Ratings(engine, SECRET)
    fixed._create()
    assert fixed.counts(0) == {("chat", "bad"): 1}
