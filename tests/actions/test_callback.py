"""A visitor asks a price over REST, completes the callback form, and the lead is
exported exactly once, with the embedded SQLite store and with PostgreSQL."""

import csv
import io
import subprocess
import sys
import uuid

import pytest

from harness.bot_process import ROOT, BotProcess, texts
from tests.markers import starts_servers

SIMPLIFIED = ["我想做个小程序多少钱", "好的", "王先生", "138 0013 8000", "想做一个点餐小程序", "随时"]
TRADITIONAL = ["我想做個小程式要多少錢", "好的", "陳小姐", "+86 139 1234 5678", "想做一個預約小程式", "週末下午"]


def export_csv(url: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "leads", "export"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        env={"LEADS_DATABASE_URL": url, "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    return list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8-sig"))))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
@starts_servers
def backend(request, tmp_path_factory):
    """(database URL, running assistant using it): one of each per backend, for the module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('leads') / 'leads.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    with BotProcess(env={"LEADS_DATABASE_URL": url}) as bot:
        yield url, bot


@pytest.mark.parametrize(
    "turns,contact,confirm",
    [(SIMPLIFIED, "13800138000", "确认"), (TRADITIONAL, "13912345678", "確認")],
    ids=["simplified", "traditional"],
)
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
    rows = [r for r in export_csv(database_url) if r.get("会话编号") == visitor]
    assert len(rows) == 1, rows
    assert rows[0]["手机"] == f'="{contact}"' and rows[0]["渠道"] == "rest"


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
    assert not [r for r in export_csv(database_url) if r.get("会话编号") == visitor]


def test_a_need_naming_a_service_and_a_real_time_land_in_their_fields(backend):
    database_url, bot = backend
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    for turn in ["请客服回电", "张先生", "我的微信是 abc123"]:
        bot.say(visitor, turn)
    bot.say(visitor, "想做淘宝店铺推广")
    summary = texts(bot.say(visitor, "明天下午三点"))
    assert "需求：想做淘宝店铺推广" in summary and "方便时间：明天下午三点" in summary, summary
    assert "已收到" in texts(bot.say(visitor, "确认"))
    [row] = [r for r in export_csv(database_url) if r.get("会话编号") == visitor]
    assert (row["需求"], row["方便联系的时间"], row["微信"]) == ("想做淘宝店铺推广", "明天下午三点", "abc123")


def test_commands_and_questions_inside_the_form_are_never_taken_as_answers(backend):
    _, bot = backend
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    bot.say(visitor, "请客服回电")
    human = bot.say(visitor, "我要转人工")  # asked for the name: contacts, then the name again
    assert len(human) <= 3 and "175-8598-2043" in texts(human) and "称呼" in texts(human)
    assert "称呼" in texts(bot.say(visitor, "更多"))  # a button word is not a name
    bot.say(visitor, "刘女士")
    price = bot.say(visitor, "小程序多少钱")  # asked for the contact: a price question, not a bad number
    assert "175-8598-2043" in texts(price) and "有效的手机号" not in texts(price)
    bot.say(visitor, "13800138000")
    bot.say(visitor, "需要网络推广服务")
    for not_a_time in ["确认", "1"]:
        assert "方便联系的时间" in texts(bot.say(visitor, not_a_time))
    summary = texts(bot.say(visitor, "工作日晚上"))
    assert "称呼：刘女士" in summary and "需求：需要网络推广服务" in summary and "方便时间：工作日晚上" in summary


@pytest.mark.parametrize("text", ["1", "2", "2026", "100元", "13800138000", "175-8598-2043", "电话也发我一下"])
def test_a_bare_number_gets_one_short_reply_in_and_out_of_the_form(backend, text):
    _, bot = backend
    fresh = bot.say(f"visitor-{uuid.uuid4().hex[:8]}", text)
    assert 1 <= len(fresh) <= 3 and all(m.get("text") for m in fresh), fresh
    in_form = f"visitor-{uuid.uuid4().hex[:8]}"
    bot.say(in_form, "请客服回电")
    assert 1 <= len(bot.say(in_form, text)) <= 3


def test_a_typed_phone_number_offers_a_callback_with_it_filled_in(backend):
    database_url, bot = backend
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    offer = texts(bot.say(visitor, "13712345678"))
    assert "13712345678" in offer and "联系您" in offer
    assert "称呼" in texts(bot.say(visitor, "好的"))
    # the contact is already known: the form goes on to the need
    assert "咨询什么" in texts(bot.say(visitor, "周先生"))


def test_no_log_of_either_server_holds_a_visitors_phone_number(backend):
    _, bot = backend
    visitor = f"visitor-{uuid.uuid4().hex[:8]}"
    for turn in ["请客服回电", "孙先生", "13566667777", "想做网站", "随时", "确认"]:
        bot.say(visitor, turn)
    bot.say(visitor, '/inform{"lead_contact": "13566667777"}')
    logs = {path.name: path.read_text(encoding="utf-8", errors="replace") for path in bot.log_dir.glob("*.log")}
    assert set(logs) >= {"rasa.log", "actions.log"}
    assert not [name for name, text in logs.items() if "13566667777" in text]
