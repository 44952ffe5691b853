"""A visitor asks a price over REST, completes the callback form, and the lead is
exported exactly once, with the embedded SQLite store and with PostgreSQL."""
import csv
import io
import subprocess
import sys
import uuid

import pytest

from tests.bot_process import ROOT, BotProcess, texts
from tests.leads_databases import postgres_database  # noqa: F401 - fixture

SIMPLIFIED = ["我想做个小程序多少钱", "好的", "王先生", "138 0013 8000", "想做一个点餐小程序", "随时"]
TRADITIONAL = ["我想做個小程式要多少錢", "好的", "陳小姐", "+86 139 1234 5678", "想做一個預約小程式", "週末下午"]


def export_csv(url: str) -> list[dict]:
    out = subprocess.run([sys.executable, "-m", "leads", "export"], cwd=ROOT, capture_output=True, check=True,
                         env={"LEADS_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    return list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8-sig"))))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    """(database URL, running assistant using it): one of each per backend, for the module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('leads') / 'leads.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    with BotProcess(env={"LEADS_DATABASE_URL": url}) as bot:
        yield url, bot


@pytest.mark.parametrize("turns,contact,confirm", [(SIMPLIFIED, "13800138000", "确认"),
                                                  (TRADITIONAL, "13912345678", "確認")],
                         ids=["simplified", "traditional"])
def test_price_question_to_stored_lead(backend, turns, contact, confirm):
    database_url, bot = backend
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    first = texts(bot.say(visitor, turns[0]))
    assert "175-8598-2043" in first and "1454722008" in first
    assert any(word in first for word in ("回电", "回電"))
    for turn in turns[1:]:
        reply = texts(bot.say(visitor, turn))
    assert any(word in reply for word in ("请确认", "請確認")), reply
    assert contact in reply
    done = texts(bot.say(visitor, confirm))
    assert "已收到" in done, done
    # The same confirmation arriving again (a retry) does not store a second lead.
    bot.say(visitor, confirm)
    rows = [r for r in export_csv(database_url) if r.get("conversation_id") == visitor]
    assert len(rows) == 1, rows
    assert rows[0]["phone"] == contact and rows[0]["channel"] == "rest"


def test_invalid_phone_is_asked_again_and_cancel_stores_nothing(backend):
    database_url, bot = backend
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    for turn in ["请安排客服联系我", "李女士"]:
        bot.say(visitor, turn)
    again = texts(bot.say(visitor, "12345"))
    assert "有效的手机号" in again
    # A page question in the middle is answered, then the form asks for the contact again.
    middle = texts(bot.say(visitor, "什么是无形价值"))
    assert "简化决策" in middle and "手机号或微信号" in middle
    assert "已取消" in texts(bot.say(visitor, "算了"))
    assert not [r for r in export_csv(database_url) if r.get("conversation_id") == visitor]
