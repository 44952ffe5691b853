"""A person takes over (issue 26), in Chromium with two pages: a visitor in the widget and an
agent in the console, on `make run`'s set-up (one Rasa server, the web app reaching it over
loopback). Request, accept, messages both ways, the bot silent, hand back, the bot answering
in context; nobody online; nobody accepting in time; and what the console refuses."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from harness.bot_process import ROOT, free_port
from leads import store
from takeover import queue
from tests.markers import starts_servers
from tests.web.widget import CorsBotProcess, WebServer, Widget
from web_app.staff.accounts import Accounts

pytestmark = pytest.mark.e2e

PASSWORD = "takeover-test-password"
AGENT = "小王"
OTHER_AGENT = "小李"
ACCEPT_SECONDS = 8
QUESTION = "淘宝运营和推广专员有什么区别"
HUMAN = ".cyl-human"
SCREENSHOTS = ROOT / "results" / "screenshots"


@pytest.fixture(scope="module")
@starts_servers
def desk(tmp_path_factory):
    """The assistant and the web app sharing the leads database (staff, the queue) and the
    conversations file; an agent account besides the admin."""
    d = tmp_path_factory.mktemp("takeover")
    web_port = free_port()
    stores = {
        "LEADS_DATABASE_URL": f"sqlite:///{d / 'leads.db'}",
        "TRACKER_SQLITE_PATH": str(d / "tracker.db"),
        "TRACKER_JOURNAL_PATH": str(d / "journal.db"),
        "TAKEOVER_ACCEPT_SECONDS": str(ACCEPT_SECONDS),
        "OFFICE_HOURS": "mon-sun 00:00-24:00",  # a person is asked for during office hours only
    }
    accounts = Accounts(lambda: store.make_engine(stores["LEADS_DATABASE_URL"]))
    accounts.add(AGENT, PASSWORD)
    accounts.add(OTHER_AGENT, PASSWORD)
    with (
        CorsBotProcess(web_origin=f"http://127.0.0.1:{web_port}", env=stores) as bot,
        WebServer(
            bot.url, port=web_port, env={**stores, "STAFF_PASSWORD": PASSWORD, "TAKEOVER_RASA_URL": bot.url}
        ) as web,
    ):
        web.leads = store.make_engine(stores["LEADS_DATABASE_URL"])
        yield web


@pytest.fixture
def pages(browser, desk):
    contexts = []

    def new_page():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


def agent_console(page, desk, online: bool):
    page.goto(desk.url + "staff/takeover")
    page.fill("#username", AGENT)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="人工接待")).to_be_visible()
    state = page.locator(".presence-state")
    if ("在线" in state.inner_text()) != online:
        page.click("form.presence button[type=submit]")
    expect(state).to_contain_text("在线" if online else "离开")
    return page


def visitor_widget(page, desk) -> Widget:
    chat = Widget(page).open_page(desk.url)
    chat.open_chat()
    chat.wait_for_answer(0)  # the greeting
    return chat


def ask_for_person(chat: Widget) -> str:
    before = len(chat.responses())
    chat.page.click(HUMAN)
    return chat.wait_for_answer(before)


def nothing_new(chat: Widget, before: int, seconds: float = 4) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert len(chat.responses()) == before, f"the bot spoke: {chat.responses()[before:]}"
        assert chat.page.query_selector(Widget.TYPING) is None, "正在输入… while a person has the chat"
        chat.page.wait_for_timeout(200)


def test_an_agent_takes_over_chats_and_hands_back_and_the_bot_resumes_in_context(desk, pages):
    agent = agent_console(pages(), desk, online=True)
    chat = visitor_widget(pages(), desk)
    other = visitor_widget(pages(), desk)
    assert "推广" in chat.ask(QUESTION)

    queued = ask_for_person(chat)
    assert "排在第 1 位" in queued and f"{ACCEPT_SECONDS} 秒" in queued
    assert "请客服回电" in chat.reply_titles()  # a callback instead, at any time

    waiting = agent.locator(".waiting li.card")
    expect(waiting).to_have_count(1, timeout=10_000)  # the page polls the queue
    expect(waiting).to_contain_text("人工客服")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    agent.screenshot(path=str(SCREENSHOTS / "staff-takeover-queue.png"))
    before = len(chat.responses())
    waiting.locator("button", has_text="接入").click()
    expect(agent).to_have_url(re.compile(r"/staff/takeover/\d+$"))
    transcript = agent.locator("ol.conversation")
    expect(transcript.locator("li.visitor").first).to_contain_text(QUESTION)
    expect(transcript.locator("li.assistant", has_text="推广").first).to_be_visible()
    assert "/greet" not in transcript.inner_text() and "/request" not in transcript.inner_text()
    expect(agent.locator("p.page")).to_have_text(f"访客所在页面：{desk.url}")  # the demo page, as the widget saw it
    # The queued line's button, by its title, as the visitor saw it.
    expect(transcript.locator("li.assistant", has_text="排在第 1 位")).to_contain_text("按钮：请客服回电")
    assert f"客服 {AGENT} 已接入" in chat.wait_for_answer(before)

    # The agent's message reaches the visitor as text (markup shown, never run).
    before = len(chat.responses())
    agent.fill("#text", "您好，我是小王<img src=x onerror=alert(1)><b>粗</b>")
    agent.click("#say button[type=submit]")
    said = chat.wait_for_answer(before)
    assert "您好，我是小王<img src=x onerror=alert(1)><b>粗</b>" in said
    assert chat.page.locator(".cyl-log img[src=x], .cyl-log b").count() == 0
    assert chat.page.locator(".cyl-log .cyl-bot .cyl-agent").last.inner_text() == f"客服 {AGENT}"

    # The visitor's message reaches the agent; the bot stays silent, even to a page question.
    before = len(chat.responses())
    chat.page.locator(".cyl-input").fill("什么是无形价值")
    chat.page.locator(".cyl-input").press("Enter")
    expect(transcript.locator("li.visitor", has_text="什么是无形价值")).to_have_count(1, timeout=10_000)
    nothing_new(chat, before)
    agent.screenshot(path=str(SCREENSHOTS / "staff-takeover-chat.png"), full_page=True)
    chat.screenshot("widget-takeover")

    # Another visitor neither sees the agent's messages nor reaches the agent's transcript.
    other.ask("我是另一位访客")
    assert not any("小王" in r for r in other.responses())
    agent.wait_for_timeout(2000)
    assert "我是另一位访客" not in transcript.inner_text()

    before = len(chat.responses())
    agent.click("text=交还智能助手")
    expect(agent).to_have_url(re.compile(r"/staff/takeover$"))
    assert "智能助手继续" in chat.wait_for_answer(before)
    follow_up = chat.ask("那内容上呢")  # the pair asked about before the takeover
    assert "淘宝运营" in follow_up or "推广专员" in follow_up, follow_up

    agent.goto(desk.url + "staff/")
    agent.locator("a", has_text="人工接待").click()
    expect(agent.locator(".waiting li.card")).to_have_count(0)


def test_nobody_online_gets_the_contacts_and_the_callback_and_shows_as_missed(desk, pages):
    agent = agent_console(pages(), desk, online=False)
    chat = visitor_widget(pages(), desk)
    chat.ask("我想问问你们的服务")
    answer = ask_for_person(chat)
    assert "175-8598-2043" in answer and "排在" not in answer
    assert "请客服回电" in chat.reply_titles()
    agent.reload()
    expect(agent.locator(".missed li.card", has_text="当时没有客服在线").first).to_be_visible()


def test_nobody_accepting_in_time_gives_the_contacts_and_shows_as_missed(desk, pages):
    agent = agent_console(pages(), desk, online=True)
    chat = visitor_widget(pages(), desk)
    chat.ask("我想找个人问问小程序报价")
    assert "排在第" in ask_for_person(chat)
    expect(agent.locator(".waiting li.card")).to_have_count(1, timeout=10_000)
    before = len(chat.responses())
    missed = chat.wait_for_answer(before, timeout=ACCEPT_SECONDS + 15)
    assert "客服暂时没能接入" in missed and "175-8598-2043" in missed
    assert "请客服回电" in chat.reply_titles()
    agent.reload()
    expect(agent.locator(".missed li.card", has_text="无人接入").first).to_be_visible()
    expect(agent.locator(".waiting li.card")).to_have_count(0)


def test_a_waiting_visitor_who_chooses_a_callback_leaves_the_queue(desk, pages):
    agent = agent_console(pages(), desk, online=True)
    chat = visitor_widget(pages(), desk)
    assert "排在第" in ask_for_person(chat)
    assert "称呼" in chat.click_reply("请客服回电")  # the callback form's first question
    agent.reload()
    expect(agent.locator(".waiting li.card")).to_have_count(0)
    expect(agent.locator(".missed li.card", has_text="访客改为登记回电").first).to_be_visible()
    nothing_new(chat, len(chat.responses()), seconds=ACCEPT_SECONDS)  # no "nobody accepted" later


def test_the_report_shows_requests_for_a_person_answered_missed_and_the_median_wait(desk, pages):
    agent = agent_console(pages(), desk, online=False)
    chat = visitor_widget(pages(), desk)
    ask_for_person(chat)  # nobody online: one more missed request
    figures = queue.figures(datetime.now(timezone.utc) - timedelta(days=1), engine=desk.leads)
    agent.goto(desk.url + "staff/report?days=7")
    rows = agent.locator("table.people tr")
    expect(rows.filter(has_text="要求人工")).to_contain_text(str(figures.requests))
    missed = f"{figures.missed}（{round(100 * figures.missed / figures.requests, 1)}%）"
    expect(rows.filter(has_text="错过")).to_contain_text(missed)
    answered = rows.filter(has_text="客服接入")
    expect(answered).to_contain_text(f"{figures.answered}（")
    if figures.answered:  # after the takeover test: its wait, in seconds
        expect(rows.filter(has_text="等待时间中位数")).to_contain_text(f"{round(figures.median_wait_seconds)} 秒")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "staff/takeover"),
        ("GET", "staff/takeover/state"),
        ("GET", "staff/takeover/1"),
        ("GET", "staff/takeover/1/messages"),
        ("GET", "staff/takeover/99999999999999999999"),
        ("POST", "staff/takeover/presence"),
        ("POST", "staff/takeover/1/accept"),
        ("POST", "staff/takeover/1/say"),
        ("POST", "staff/takeover/1/end"),
    ],
)
def test_no_takeover_endpoint_without_a_session(desk, method, path):
    opener = urllib.request.build_opener(_NoRedirect)
    body = b"online=1&text=hi" if method == "POST" else None
    try:
        answer = opener.open(urllib.request.Request(desk.url + path, data=body, method=method), timeout=10)
        status, location = answer.status, answer.headers.get("location")
    except urllib.error.HTTPError as refused:
        status, location = refused.code, refused.headers.get("location")
    if method == "GET":
        assert status == 302 and location.startswith("/staff/login"), (status, location)
    else:
        assert status == 403


def test_a_request_id_no_database_holds_is_404_not_an_outage(desk, pages):
    agent = agent_console(pages(), desk, online=False)
    for path in ("staff/takeover/99999999999999999999", "staff/takeover/0", "staff/takeover/12345"):
        answer = agent.goto(desk.url + path)
        assert answer.status == 404, path
    answer = agent.request.get(desk.url + "staff/takeover/99999999999999999999/messages")
    assert answer.status == 404


def test_only_the_agent_who_accepted_writes_and_a_message_must_be_1_to_2000_characters(desk):
    from tests.web_app.test_staff_console import Client

    queue.set_presence(AGENT, True, engine=desk.leads)
    request_id = queue.ask("web:nobody-here", "socketio", engine=desk.leads).request_id
    queue.accept(request_id, AGENT, engine=desk.leads)
    other, agent = Client(desk.url[:-1]), Client(desk.url[:-1])
    assert other.login(PASSWORD, username=OTHER_AGENT) == 302 and agent.login(PASSWORD, username=AGENT) == 302

    def say(client, text):
        form = {"text": text, "csrf": client.cookie("staff_csrf")}
        status, headers, _ = client.request(f"/staff/takeover/{request_id}/say", form)
        return status, headers.get("Location", "")

    assert say(other, "我来插一句")[0] == 403
    assert other.request(f"/staff/takeover/{request_id}/end", {"csrf": other.cookie("staff_csrf")})[0] == 403
    assert say(agent, "   ")[1].endswith("?problem=length")
    assert say(agent, "长" * 2001)[1].endswith("?problem=length")
    # Accepted, but the conversation is not one the assistant holds: the agent is told, not a 500.
    assert say(agent, "您好")[1].endswith("?problem=undelivered")
    assert queue.end(request_id, queue.HANDED_BACK, engine=desk.leads) is not None

    # Accepting such a request: not paused anywhere, so the request ends and the agent is told.
    request_id = queue.ask("web:nobody-here-either", "socketio", engine=desk.leads).request_id
    status, headers, _ = agent.request(f"/staff/takeover/{request_id}/accept", {"csrf": agent.cookie("staff_csrf")})
    assert status == 302 and headers["Location"] == "/staff/takeover?gone=undelivered"
    assert queue.get(request_id, engine=desk.leads).reason == queue.NOT_DELIVERED
    assert "智能助手暂时联系不上" in agent.request("/staff/takeover?gone=undelivered")[2]


def test_the_rasa_servers_command_route_refuses_unsigned_or_forged_commands(desk):
    rasa_url = desk.env["TAKEOVER_RASA_URL"]
    for headers in ({}, {"X-Takeover-Signature": "0" * 64}):
        request = urllib.request.Request(
            rasa_url + "/webhooks/socketio/takeover",
            data=b'{"kind": "say", "conversation": "web:x", "text": "hi", "at": 0}',
            headers={"Content-Type": "application/json", **headers},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 403
