"""What PIPL expects of the agency: conversations and leads older than the retention limit are
deleted by the retention job, and one visitor's leads and conversations can be found by their
phone number or WeChat ID and deleted, each deletion leaving an audit line."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from conversation_store.tracker_store import LeanSQLTrackerStore
from leads import store
from privacy import __main__ as cli
from privacy import audit, erasure, retention, settings

DOMAIN = Domain.load("domain.yml")
DAY = 86400


def conversation(tracker_store, sender: str, said: list[str], at: float) -> None:
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    for i, text in enumerate(said):
        tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}, timestamp=at + i))
        tracker.update(ActionExecuted("action_answer_fact", timestamp=at + i))
        tracker.update(BotUttered("好的", timestamp=at + i))
        tracker.update(ActionExecuted("action_listen", timestamp=at + i))
    asyncio.run(tracker_store.save(tracker))


def senders(engine) -> set:
    with engine.connect() as connection:
        return {row[0] for row in connection.execute(sa.text("SELECT DISTINCT sender_id FROM events"))}


def setup(tmp_path):
    tracker_store = LeanSQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker_engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker.db'}", future=True)
    leads_engine = store.make_engine(f"sqlite:///{tmp_path / 'leads.db'}")
    return tracker_store, tracker_engine, leads_engine


def lead(leads_engine, conversation_id: str, phone=None, wechat=None, age_days: float = 0) -> int:
    saved = store.save_lead(
        channel="rest", conversation_id=conversation_id, name="王先生", phone=phone, wechat=wechat, need="做网站",
        preferred_time="随时", engine=leads_engine,
    )  # fmt: skip
    if age_days:
        with leads_engine.begin() as connection:
            connection.execute(
                store.leads_table.update()
                .where(store.leads_table.c.id == saved.lead.id)
                .values(created_at=datetime.now(timezone.utc) - timedelta(days=age_days))
            )
    return saved.lead.id


def lead_ids(leads_engine) -> set:
    with leads_engine.connect() as connection:
        return {row[0] for row in connection.execute(sa.select(store.leads_table.c.id))}


def test_the_retention_job_deletes_what_is_older_than_the_limit_and_keeps_the_rest(tmp_path):
    tracker_store, tracker_engine, leads_engine = setup(tmp_path)
    now = time.time()
    conversation(tracker_store, "old-visitor", ["什么是无形价值"], now - 200 * DAY)
    conversation(tracker_store, "recent-visitor", ["什么是无形价值"], now - 2 * DAY)
    # Began long ago but still talking: kept whole.
    conversation(tracker_store, "returning-visitor", ["第一次"], now - 300 * DAY)
    conversation(tracker_store, "returning-visitor", ["第一次", "又来了"], now - 300 * DAY)
    with tracker_engine.begin() as connection:
        connection.execute(
            sa.text("UPDATE events SET timestamp = :t WHERE id = (SELECT max(id) FROM events)"), {"t": now}
        )
    old_lead = lead(leads_engine, "old-visitor", phone="13800138000", age_days=200)
    new_lead = lead(leads_engine, "recent-visitor", phone="13900139000", age_days=1)

    done = retention.purge(180, leads_engine, tracker_engine, now=now)

    assert senders(tracker_engine) == {"recent-visitor", "returning-visitor"}
    assert lead_ids(leads_engine) == {new_lead} and old_lead not in lead_ids(leads_engine)
    assert (done.conversations, done.leads) == (1, 1)
    line = audit.recent(leads_engine)[0]
    assert line.action == "purge" and "1 conversation(s)" in line.detail and "1 lead(s)" in line.detail


def test_retention_zero_keeps_everything():
    assert settings.retention_days({"RETENTION_DAYS": "0"}) == 0
    assert settings.retention_days({}) == 180 and settings.retention_days({"RETENTION_DAYS": "x"}) == 180
    assert retention.purge(0, None, None).conversations == 0


def test_erasing_a_visitor_by_phone_removes_their_leads_and_conversations_and_is_audited(tmp_path):
    tracker_store, tracker_engine, leads_engine = setup(tmp_path)
    now = time.time()
    conversation(tracker_store, "web:their-chat", ["请客服回电", "我的电话 138 0013 8000"], now)
    conversation(tracker_store, "wechat:their-other", ["13800138000 这个号码之前留过"], now)
    conversation(tracker_store, "web:someone-else", ["请客服回电", "13900139000"], now)
    theirs = lead(leads_engine, "web:their-chat", phone="13800138000")
    kept = lead(leads_engine, "web:someone-else", phone="13900139000")

    found = erasure.find_visitor("+86 138-0013-8000", leads_engine, tracker_engine)
    assert [x.id for x in found.leads] == [theirs]
    assert found.conversations == ["web:their-chat", "wechat:their-other"]

    erasure.erase_visitor("+86 138-0013-8000", "管理员", leads_engine, tracker_engine)
    assert senders(tracker_engine) == {"web:someone-else"}
    assert lead_ids(leads_engine) == {kept}
    line = audit.recent(leads_engine)[0]
    assert (line.actor, line.action) == ("管理员", "erase_visitor")
    assert "1 lead(s), 2 conversation(s)" in line.detail and "13800138000" not in line.detail


def test_erasing_by_wechat_id_ignores_case_and_an_unknown_contact_erases_nothing(tmp_path):
    tracker_store, tracker_engine, leads_engine = setup(tmp_path)
    conversation(tracker_store, "web:w", ["我的微信是 Zhang_San88"], time.time())
    lead(leads_engine, "web:w", wechat="Zhang_San88")
    assert erasure.erase_visitor("not a contact!", "管理员", leads_engine, tracker_engine).leads == []
    assert audit.recent(leads_engine) == []
    erasure.erase_visitor("zhang_san88", "管理员", leads_engine, tracker_engine)
    assert lead_ids(leads_engine) == set()


def test_the_command_line_purges_with_the_configured_days(tmp_path, monkeypatch, capsys):
    tracker_store, tracker_engine, leads_engine = setup(tmp_path)
    conversation(tracker_store, "old", ["你好"], time.time() - 40 * DAY)
    monkeypatch.setenv("TRACKER_SQLITE_PATH", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("LEADS_DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    monkeypatch.setenv("RETENTION_DAYS", "30")
    monkeypatch.delenv("TRACKER_DB_HOST", raising=False)
    assert cli.main(["purge"]) == 0
    assert "1 conversation(s)" in capsys.readouterr().out and senders(tracker_engine) == set()
