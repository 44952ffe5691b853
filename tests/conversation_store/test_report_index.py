"""The staff report from an index kept as turns arrive (issue 23, item 16): the same figures as
reading the events from scratch, each event read once, bounded memory."""

from __future__ import annotations

import random
import time
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from conversation_store import report_index as report_index_module
from conversation_store.archive import Archive, since_days
from conversation_store.report_index import ReportIndex
from tests.conversation_store.events import events_engine, insert, row, turn

TZ = ZoneInfo("Asia/Shanghai")
ACTIONS = [
    ("action_answer_comparison", {"comparison": "taobao_ops_vs_promoter"}),
    ("action_answer_fact", {"fact": "intangible_value"}),
    ("action_clarify", {}),
    ("action_decline", {}),
    ("action_handoff", {}),
]
TEXTS = ["淘宝运营和推广专员有什么区别", "什么是无形价值", "天气怎么样", "帮我订外卖", "人工", "帮我 订外卖!", "/greet"]


def conversations(seed: int, count: int, now: float) -> list:
    rng = random.Random(seed)
    rows = []
    for n in range(count):
        sender = f"visitor-{seed}-{n}"
        at = now - rng.uniform(0, 40 * 86400)
        for _ in range(rng.randint(1, 6)):
            action, slots = rng.choice(ACTIONS)
            rows += turn(sender, at, rng.choice(TEXTS), action, slots)
            if rng.random() < 0.1:
                rows.append(row(sender, "active_loop", at + 0.05, name="callback_form"))
            at += rng.uniform(5, 600)
    rows.sort(key=lambda r: r["timestamp"])  # as they arrive: conversations interleave
    return rows


def figures(report) -> tuple:
    asked = lambda groups: sorted((a.count, a.newest_text) for a in groups)  # noqa: E731
    return (
        report.days,
        report.conversations,
        report.messages,
        sorted(report.topics),
        asked(report.not_understood),
        asked(report.declined),
        report.handoffs,
        report.callback_forms,
    )


@pytest.fixture
def archive(tmp_path):
    engine = events_engine(tmp_path / "tracker.db")
    return Archive(str(engine.url))


def test_the_index_gives_the_figures_of_a_full_read(archive):
    now = time.time()
    index = ReportIndex(archive, TZ)
    insert(archive.engine, conversations(1, 60, now))
    index.refresh()
    insert(archive.engine, conversations(2, 60, now))  # more turns arrive
    for days in (7, 30, 90):
        since = since_days(days, TZ)
        assert figures(index.report(since, TZ)) == figures(archive.report(since, TZ)), days


def test_each_event_is_read_once(archive):
    now = time.time()
    index = ReportIndex(archive, TZ)
    insert(archive.engine, conversations(3, 20, now))
    first = index.refresh()
    assert first > 0 and index.refresh() == 0
    insert(archive.engine, turn("late-visitor", now, "天气怎么样", "action_decline"))
    assert index.refresh() == 3  # user, action, action_listen (bot messages are not read)


def test_an_id_committed_after_a_higher_one_is_still_counted(archive):
    """On PostgreSQL two replicas' transactions may commit out of id order."""
    now = time.time()
    index = ReportIndex(archive, TZ)
    insert(archive.engine, [dict(r, id=100 + i) for i, r in enumerate(turn("b", now, "天气怎么样", "action_decline"))])
    index.refresh()
    insert(archive.engine, [dict(r, id=50 + i) for i, r in enumerate(turn("a", now, "帮我订外卖", "action_decline"))])
    report = index.report(since_days(7, TZ), TZ)
    assert sorted(a.newest_text for a in report.declined) == ["天气怎么样", "帮我订外卖"]


def test_memory_is_bounded_whatever_visitors_send(archive, monkeypatch):
    monkeypatch.setattr(report_index_module, "GROUPS_PER_DAY", 10)
    now = time.time()
    rows = []
    for n in range(50):
        rows += turn(f"spammer-{n}", now, f"随机问题{n}号", "action_clarify")
    insert(archive.engine, rows)
    index = ReportIndex(archive, TZ)
    report = index.report(since_days(7, TZ), TZ)
    assert len(report.not_understood) == 11 and sum(a.count for a in report.not_understood) == 50
    old = turn("long-ago", now - 200 * 86400, "天气怎么样", "action_decline")
    insert(archive.engine, old)
    index.refresh()
    assert min(index._days) >= (report_index_module.datetime.now(TZ) - timedelta(days=93)).date()
