"""The review queue lists what the assistant may have misread, grouped by wording, and drops
what staff decided or the training data already holds."""

from __future__ import annotations

import json
import time

import sqlalchemy as sa

from learning import review
from tests.conversation_store.events import events_engine, insert, row, turn
from web_app.ratings import metadata as ratings_metadata
from web_app.ratings import ratings_table


def parsed(sender, at, text, action, intent, confidence, entities=(), reply="…"):
    """A turn whose visitor message carries the NLU's reading, as the tracker store keeps it."""
    rows = turn(sender, at, text, action, reply=reply)
    data = json.loads(rows[0]["data"])
    data["parse_data"] = {
        "intent": {"name": intent, "confidence": confidence},
        "entities": [{"entity": e, "value": v} for e, v in entities],
    }
    rows[0]["data"] = json.dumps(data, ensure_ascii=False)
    return rows


def test_each_kind_of_misreading_is_queued_and_a_confident_answer_is_not(tmp_path):
    engine = events_engine(tmp_path / "tracker.db")
    now = time.time() - 60
    insert(engine, parsed("a", now, "市场和运营的区别", "action_answer_comparison", "ask_difference", 0.93))
    insert(engine, parsed("a", now + 1, "帮我订个外卖", "action_decline", "out_of_scope", 0.9))
    insert(engine, parsed("b", now + 2, "嗯嗯那个啥", "action_clarify", "nlu_fallback", 0.2))
    insert(engine, parsed("b", now + 3, "运营工资多少", "action_answer_fact", "ask_ops_duties", 0.8, [("gap", "工资")]))
    insert(engine, parsed("c", now + 4, "推广要懂数据吗", "action_answer_fact", "ask_role", 0.41))
    insert(engine, parsed("c", now + 5, "举个例子呗", "action_answer_fact", "ask_reads_example", 0.9))
    insert(engine, parsed("d", now + 6, "嗯嗯，那个啥？", "action_clarify", "nlu_fallback", 0.1))
    insert(engine, [row("d", "user", now + 7, text="/affirm")])  # a button: nothing typed
    ratings_metadata.create_all(engine)
    with engine.begin() as connection:  # c's second answer (the 2nd bot message) was rated 没用
        connection.execute(
            ratings_table.insert().values(conversation_id="c", kind="answer", target="2", value="down", created_at=now)
        )
    groups = review.queue(engine, decided=set(), known=set())
    reasons = {g.newest.text: g.reasons for g in groups}
    assert reasons == {
        "嗯嗯，那个啥？": ["not_understood"],
        "帮我订个外卖": ["declined"],
        "运营工资多少": ["gap"],
        "推广要懂数据吗": ["low_confidence"],
        "举个例子呗": ["rated_useless"],
    }
    assert groups[0].count == 2 and {m.sender for m in groups[0].messages} == {"b", "d"}  # same wording, grouped
    assert groups[0].newest.sender == "d"  # the conversation link is the newest one's


def test_decided_and_known_wordings_leave_the_queue(tmp_path):
    engine = events_engine(tmp_path / "tracker.db")
    now = time.time() - 60
    insert(engine, parsed("a", now, "帮我订个外卖", "action_decline", "out_of_scope", 0.9))
    insert(engine, parsed("b", now + 1, "嗯嗯那个啥", "action_clarify", "nlu_fallback", 0.2))
    insert(engine, parsed("c", now + 2, "推广要懂数据吗", "action_answer_fact", "ask_role", 0.41))
    decisions = review.Decisions(sa.create_engine(f"sqlite:///{tmp_path / 'leads.db'}", future=True))
    decisions.record("帮我订个外卖！", "right", "wang")
    groups = review.queue(engine, decided=decisions.keys(), known={"推广要懂数据吗"})
    assert [g.newest.text for g in groups] == ["嗯嗯那个啥"]
    assert [(d.text, d.decision, d.account) for d in decisions.recent()] == [("帮我订个外卖！", "right", "wang")]


def test_no_conversation_yet_is_an_empty_queue(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'none.db'}", future=True)
    assert review.queue(engine, decided=set(), known=set()) == []
