"""The website widget in a real browser (Debian's Chromium through Playwright), chatting with
the trained assistant over Rasa's socket.io channel, as a visitor of the demo page would.

Every visitor fixture also checks, after its test, that no request left the machine, that
the console shows no error and that no dialog (alert) ever opened.
"""

from __future__ import annotations

import re
import time
import urllib.request
from typing import NamedTuple
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from harness.bot_process import free_port
from tests.markers import starts_servers
from tests.web.widget import CorsBotProcess, Outage, Traffic, WebServer, Widget, axe_violations

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CJK = re.compile(r"[\u4e00-\u9fff]")


class Site(NamedTuple):
    url: str
    bot: CorsBotProcess
    second_port: int  # the agency's own site, embedding the widget from another origin
    outage_port: int  # the demo page whose socket goes through a relay that tests cut


@pytest.fixture(scope="module")
@starts_servers
def site():
    """The assistant and the web server, the page's origin allowed by Rasa's CORS setting (with
    a second site that embeds the widget)."""
    web_port, second_port, outage_port = free_port(), free_port(), free_port()
    origins = " ".join(f"http://127.0.0.1:{port}" for port in (web_port, second_port, outage_port))
    with (
        CorsBotProcess(web_origin=origins) as bot,
        WebServer(bot.url, port=web_port, env={"TRACKER_SQLITE_PATH": bot.env["TRACKER_SQLITE_PATH"]}) as web,
    ):
        yield Site(web.url, bot, second_port, outage_port)


@pytest.fixture
def visitor(browser, site):
    """Opens the demo page as a new visitor (own storage); checks what the page did."""
    traffic = Traffic()
    contexts = []

    def open_page(viewport=DESKTOP, **options) -> Widget:
        context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
        contexts.append(context)
        traffic.watch(context)
        return Widget(context.new_page()).open_page(site.url)

    yield open_page
    for context in contexts:
        context.close()
    assert traffic.urls, "the page made no request at all"
    assert not traffic.external(), f"requests left the machine: {traffic.external()}"
    assert not traffic.console_errors, f"console errors: {traffic.console_errors}"
    assert not traffic.dialogs, f"a dialog opened (script ran): {traffic.dialogs}"


def test_greeting_with_quick_replies_and_chinese_ui(visitor, site):
    chat = visitor()
    assert chat.page.title().startswith("市场推广和运营的区别")
    chat.open_chat()
    greeting = chat.wait_for_answer(0)

    assert chat.page.inner_text(".cyl-header .cyl-title") == "创意岭客服助手"
    assert chat.page.get_attribute(".cyl-input", "placeholder") == "请输入您的问题"
    assert CJK.search(greeting), greeting
    titles = chat.reply_titles()
    assert len(titles) >= 5, f"expected the four comparisons and 联系客服, got {titles}"
    assert any("联系客服" in t for t in titles), titles
    assert "猜你想问" in greeting  # the chips are the most asked questions (actions/popular.py)

    handoff = chat.click_reply("联系客服")
    assert "175-8598-2043" in handoff and "1454722008" in handoff, handoff
    # The hand-off payload that follows the text must not break the turn (channels/webchat.py).
    assert "Traceback" not in (site.bot.log_dir / "rasa.log").read_text(encoding="utf-8")


def test_conversation_keeps_context_across_reload_and_tabs(visitor, site):
    chat = visitor()
    chat.open_chat()
    chat.wait_for_answer(0)

    box = chat.page.locator(".cyl-input")
    box.fill("淘宝运营和推广专员有什么区别")
    sent = time.monotonic()
    box.press("Enter")
    typing_text = chat.page.wait_for_selector(Widget.TYPING, timeout=5000).inner_text()
    answer = chat.wait_for_answer(1)
    # The first answer shows up quickly: no artificial typing delay beyond a short one.
    assert chat.page.locator(Widget.RESPONSES).count() > 1
    assert time.monotonic() - sent < 6
    assert "正在输入" in typing_text
    assert "淘宝运营" in answer and "推广专员" in answer, answer
    assert chat.page.locator(".cyl-bot .cyl-text strong, .cyl-bot .cyl-text li").count() > 0, (
        "markdown (bold or list) is not rendered"
    )

    titles = chat.reply_titles()
    assert titles, "no quick replies after the answer"
    # Another dimension of the same comparison, so the next follow-up has a clear topic.
    reply = next((t for t in titles if re.search("定位|内容", t)), titles[0])
    after_reply = chat.click_reply(reply)
    assert after_reply.strip() and after_reply != answer
    assert chat.client_messages()[-1].strip() == reply

    ability = chat.ask("那能力要求呢?")
    assert "大局观" in ability, f"the follow-up lost the 淘宝运营/推广专员 topic: {ability}"
    chat.screenshot("desktop")

    history = chat.responses()
    chat.page.reload()
    chat.page.wait_for_selector(Widget.RESPONSES)
    assert chat.responses() == history, "the conversation was lost on reload"
    # The open chat stays open, with its latest message in view (not mid-history).
    log = chat.page.locator(".cyl-log").bounding_box()
    latest = chat.page.locator(".cyl-msg").last.bounding_box()
    assert log["y"] - 1 <= latest["y"] < log["y"] + log["height"], (log, latest)
    chat.open_chat()
    work = chat.ask("那工作内容呢?")
    assert re.search("店铺|商品|推广销售", work), f"context lost after reload: {work}"

    second_tab = Widget(chat.page.context.new_page()).open_page(site.url)
    second_tab.page.wait_for_selector(Widget.RESPONSES)
    assert second_tab.responses()[: len(history)] == history, "a second tab lost the history"


def test_traditional_chinese_in_traditional_out(visitor):
    chat = visitor()
    chat.open_chat()
    chat.wait_for_answer(0)
    answer = chat.ask("淘寶運營和推廣專員有什麼區別？")
    assert "運營" in answer and "运营" not in answer, answer


def test_markup_and_huge_messages_are_inert(visitor):
    chat = visitor()
    chat.open_chat()
    chat.wait_for_answer(0)

    markup = "<img src=x onerror=alert(1)>"
    reply = chat.ask(markup)
    assert chat.client_messages()[-1] == markup, "the markup was not shown as plain text"
    assert chat.page.locator(".cyl-log img[src='x']").count() == 0
    assert CJK.search(reply) and "Error" not in reply, reply

    reply = chat.ask("运营" * 2500)
    assert CJK.search(reply) and "Error" not in reply, reply
    assert "淘宝运营" in chat.ask("淘宝运营和推广专员有什么区别"), "the chat stopped working"


def test_phone_viewport_fits_and_works(visitor):
    chat = visitor(viewport=PHONE, is_mobile=True, has_touch=True)
    chat.screenshot("phone-page")
    chat.open_chat()
    chat.wait_for_answer(0)
    answer = chat.ask("淘宝运营和推广专员有什么区别")
    assert "淘宝运营" in answer, answer
    chat.screenshot("phone")

    for selector in (".cyl-panel", ".cyl-header", ".cyl-input"):
        box = chat.page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= PHONE["width"] + 0.5, (selector, box)
        assert box["y"] + box["height"] <= PHONE["height"] + 0.5, (selector, box)
    assert chat.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_page_loads_nothing_from_outside_the_site(site):
    with urllib.request.urlopen(site.url) as page:
        csp = page.headers["Content-Security-Policy"]
    with urllib.request.urlopen(site.url + "widget.js") as script:
        build = script.read().decode("utf-8")
    assert "default-src 'none'" in csp and "script-src 'self';" in csp and "style-src 'self';" in csp, csp
    assert "googleapis" not in build and "http" not in build.replace("http://127.0.0.1", "")


def test_nothing_loads_or_connects_until_the_visitor_opens_the_widget(browser, site):
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    traffic = Traffic()
    traffic.watch(context)
    try:
        chat = Widget(context.new_page()).open_page(site.url)
        chat.page.wait_for_timeout(2500)
        paths = {urlsplit(url).path for url in traffic.urls}
        assert paths == {"/", "/demo.css", "/widget.js"}, paths
        chat.open_chat()
        chat.wait_for_answer(0)
        opened = {urlsplit(url).path for url in traffic.urls}
        assert any(re.fullmatch(r"/chat-\w+\.js", path) for path in opened), opened
        assert "/socket.io/" in opened and "/widget.json" in opened
        assert not traffic.console_errors, traffic.console_errors
    finally:
        context.close()


async def _websocket_chat(bot_url: str, origin: str) -> list[str]:
    """A raw engine.io WebSocket from a page on `origin`: connect, ask, collect frames for 15 s."""
    import asyncio
    import json

    import aiohttp

    frames = []
    ws_url = bot_url.replace("http", "ws", 1) + "/socket.io/?EIO=4&transport=websocket"
    async with aiohttp.ClientSession() as session:
        async with session.ws_connect(ws_url, headers={"Origin": origin}) as ws:
            await ws.receive()  # engine.io "open"
            await ws.send_str("40")
            frames.append((await ws.receive()).data)
            await ws.send_str('42["session_request",{}]')
            if frames[0].startswith("40"):
                confirm = await asyncio.wait_for(ws.receive(), 15)
                json.loads(confirm.data[2:])[1]["session_id"]  # issued by the server
            await ws.send_str(
                "42" + json.dumps(["user_uttered", {"message": "淘宝运营和推广专员有什么区别"}], ensure_ascii=False)
            )
            try:
                while True:
                    message = await asyncio.wait_for(ws.receive(), 15)
                    if not isinstance(message.data, str):
                        break
                    frames.append(message.data)
                    if "bot_uttered" in message.data:
                        break
            except asyncio.TimeoutError:
                pass
    return frames


def _in_own_thread(coroutine):
    # Playwright's sync API keeps an event loop running in this thread.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_a_page_on_another_site_cannot_chat_over_a_websocket(site):
    foreign = _in_own_thread(_websocket_chat(site.bot.url, "https://evil.example"))
    assert foreign[0].startswith("44") and not any("bot_uttered" in f for f in foreign), foreign
    own = _in_own_thread(_websocket_chat(site.bot.url, site.bot.web_origin))
    assert own[0].startswith("40") and any("bot_uttered" in f for f in own), own


# --- the widget's own features -------------------------------------------------------------------

COMPOSING_ENTER = """box => {
    const enter = {key: "Enter", code: "Enter", keyCode: 13, which: 13, bubbles: true, cancelable: true};
    box.dispatchEvent(new CompositionEvent("compositionstart", {bubbles: true, data: ""}));
    box.dispatchEvent(new KeyboardEvent("keydown", {...enter, isComposing: true}));
    box.dispatchEvent(new KeyboardEvent("keydown", {...enter, keyCode: 229, which: 229, isComposing: true}));
    box.dispatchEvent(new CompositionEvent("compositionend", {bubbles: true, data: "运营"}));
}"""


def name_of(viewport) -> str:
    return "phone" if viewport is PHONE else "desktop"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_enter_while_choosing_a_pinyin_candidate_does_not_send(visitor, viewport):
    chat = visitor(viewport)
    chat.open_chat()
    chat.wait_for_answer(0)
    box = chat.page.locator(".cyl-input")
    box.fill("淘宝yun")
    box.evaluate(COMPOSING_ENTER)
    chat.page.wait_for_timeout(800)
    assert chat.client_messages() == [], "half-typed pinyin was sent"
    assert box.input_value() == "淘宝yun"
    box.fill("淘宝运营和推广专员有什么区别")
    before = len(chat.responses())
    box.press("Enter")  # a real Enter after composition sends
    assert "推广专员" in chat.wait_for_answer(before)
    times = [t.strip() for t in chat.page.locator(".cyl-time").all_inner_texts()]
    assert times and all(re.fullmatch(r"\d\d:\d\d", t) for t in times), times  # each message's time


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_controls_have_names_answers_are_announced_and_quick_replies_work_by_keyboard(visitor, viewport):
    chat = visitor(viewport)
    assert chat.page.get_by_role("button", name="打开客服对话").count() == 1
    chat.open_chat()
    chat.wait_for_answer(0)
    for role, name in (
        ("textbox", "输入您的问题"),
        ("button", "发送"),
        ("button", "联系人工客服"),
        ("button", "关闭对话"),
    ):
        expect(chat.page.get_by_role(role, name=name)).to_have_count(1)
    log = chat.page.locator(".cyl-log")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"
    assert chat.page.locator(".cyl-avatar").get_attribute("alt") == "客服助手"  # alt texts in Chinese
    reply = chat.page.locator(Widget.REPLIES, has_text="淘宝运营").first
    assert reply.evaluate("el => el.tagName") == "BUTTON"
    before = len(chat.responses())
    reply.focus()
    chat.page.keyboard.press("Enter")
    assert "推广专员" in chat.wait_for_answer(before)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_escape_closes_the_widget_and_every_control_shows_a_focus_ring(visitor, viewport):
    chat = visitor(viewport)
    chat.page.keyboard.press("Tab")  # the launcher is the page's first control
    launcher = chat.page.locator(".cyl-launcher")
    assert launcher.evaluate("el => el.getRootNode().activeElement === el")
    ring = (
        "el => { const s = getComputedStyle(el); return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; }"
    )
    assert launcher.evaluate(ring), "the launcher has no visible focus ring"
    chat.page.keyboard.press("Enter")
    chat.page.wait_for_selector(".cyl-input", state="visible")
    chat.wait_for_answer(0)
    human = chat.page.locator(".cyl-human")
    human.focus()
    chat.page.keyboard.press("Shift+Tab")
    chat.page.keyboard.press("Tab")
    assert human.evaluate(ring), "人工客服 has no visible focus ring"
    chat.page.keyboard.press("Escape")
    expect(chat.page.locator(".cyl-panel")).to_be_hidden()
    assert launcher.evaluate("el => el.getRootNode().activeElement === el"), "focus did not return to the launcher"


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_person_always_one_tap_away_with_tap_to_call_and_copyable_wechat(visitor, viewport):
    chat = visitor(viewport, permissions=["clipboard-read", "clipboard-write"])
    chat.open_chat()
    chat.wait_for_answer(0)
    before = len(chat.responses())
    chat.page.click(".cyl-human")
    answer = chat.wait_for_answer(before)
    assert "175-8598-2043" in answer and "1454722008" in answer
    assert chat.client_messages()[-1] == "人工客服"
    call = chat.page.locator(".cyl-bot a[href='tel:17585982043']").last
    assert call.inner_text() == "175-8598-2043"
    copy = chat.page.locator(".cyl-bot .cyl-copy").last
    copy.click()
    expect(copy).to_have_text("已复制")
    assert chat.page.evaluate("navigator.clipboard.readText()") == "1454722008"
    chat.screenshot(f"widget-person-{name_of(viewport)}")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_open_widget_has_no_serious_accessibility_violation(visitor, viewport):
    chat = visitor(viewport)
    chat.open_chat()
    chat.wait_for_answer(0)
    chat.ask("淘宝运营和推广专员有什么区别")
    assert axe_violations(chat.page) == []


def test_a_long_answer_is_shown_from_its_start_on_a_phone(visitor):
    chat = visitor({"width": 360, "height": 560})
    chat.open_chat()
    chat.wait_for_answer(0)
    chat.ask("电商运营和新媒体推广有什么区别")  # taller than this phone's message area
    chat.page.wait_for_timeout(400)
    log = chat.page.locator(".cyl-log").bounding_box()
    answer = chat.page.locator(".cyl-msg.cyl-bot").last.bounding_box()
    assert answer["height"] > log["height"], "the answer is not long enough to test scrolling"
    assert abs(answer["y"] - log["y"]) < 24, (log, answer)  # its first line, not its last, in view


CLOSED = {"OFFICE_HOURS": "Mon 03:00-03:01", "OFFICE_TZ": "Asia/Shanghai"}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_outside_office_hours_a_banner_says_when_staff_are_back_and_the_assistant_has_a_face(browser, viewport):
    web_port = free_port()
    with (
        CorsBotProcess(web_origin=f"http://127.0.0.1:{web_port}", env=CLOSED) as bot,
        WebServer(bot.url, port=web_port, env=CLOSED) as web,
    ):
        page = browser.new_page(viewport=viewport, locale="zh-CN")
        try:
            chat = Widget(page).open_page(web.url)
            chat.open_chat()
            chat.wait_for_answer(0)
            banner = page.locator(".cyl-after-hours")
            expect(banner).to_contain_text("非工作时间")
            expect(banner).to_contain_text("周一 03:00")
            assert banner.get_attribute("role") == "status"
            assert page.locator(".cyl-header img.cyl-avatar").count() == 1
            assert page.locator(".cyl-bot img.cyl-face").count() >= 1
            width = page.locator(".cyl-panel").bounding_box()["width"]
            assert width >= 420 if viewport is DESKTOP else width == viewport["width"]  # room for long answers
            chat.screenshot(f"widget-after-hours-{name_of(viewport)}")
        finally:
            page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_typing_suggests_page_questions_by_simplified_traditional_or_pinyin_initials(visitor, viewport):
    chat = visitor(viewport, has_touch=viewport is PHONE)
    chat.open_chat()
    assert "猜你想问" in chat.wait_for_answer(0) and len(chat.reply_titles()) >= 5  # the chips on opening
    box = chat.page.locator(".cyl-input")
    options = chat.page.locator(".cyl-suggest[role=listbox] [role=option]")
    for typed in ("无形", "無形", "smsw"):
        box.fill(typed)
        expect(options.first).to_have_text("什么是无形价值")
    box.fill("")
    box.press_sequentially("淘宝")  # typed key by key, as a visitor does
    expect(options.first).to_contain_text("淘宝运营")
    assert axe_violations(chat.page) == []  # the open list too
    chat.screenshot(f"widget-suggestions-{name_of(viewport)}")
    before = len(chat.responses())
    if viewport is PHONE:
        options.first.tap()
    else:
        box.press("ArrowDown")
        assert box.get_attribute("aria-activedescendant") == "cyl-suggestion-0"
        box.press("Enter")
    answer = chat.wait_for_answer(before)
    assert chat.client_messages()[-1] == "淘宝运营和推广专员的区别" and "推广专员" in answer
    expect(chat.page.locator(".cyl-suggest")).to_be_hidden()
    # The chips of the greeting are gone; its "猜你想问：" line went with them.
    assert not chat.responses()[0].rstrip().endswith("猜你想问："), chat.responses()[0]


def test_the_suggestion_list_closes_when_the_typed_question_is_sent(visitor):
    chat = visitor()
    chat.open_chat()
    chat.wait_for_answer(0)
    box = chat.page.locator(".cyl-input")
    box.fill("淘宝运营")
    expect(chat.page.locator(".cyl-suggest [role=option]").first).to_be_visible()
    before = len(chat.responses())
    box.press("Enter")  # sends what was typed, not a suggestion
    expect(chat.page.locator(".cyl-suggest")).to_be_hidden()
    chat.wait_for_answer(before)
    expect(chat.page.locator(".cyl-suggest")).to_be_hidden()
    assert chat.page.locator(".cyl-suggest").inner_text() == ""


def test_no_suggestion_list_while_a_pinyin_candidate_is_being_chosen(visitor):
    chat = visitor()
    chat.open_chat()
    chat.wait_for_answer(0)
    box = chat.page.locator(".cyl-input")
    box.evaluate("box => box.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true}))")
    box.fill("无形")
    assert chat.page.locator(".cyl-suggest [role=option]").count() == 0
    box.evaluate("box => box.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: '无形'}))")
    expect(chat.page.locator(".cyl-suggest [role=option]").first).to_have_text("什么是无形价值")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_visitors_rate_answers_and_the_chat_and_staff_see_the_counts(visitor, site, viewport):
    from conversation_store.archive import Archive
    from web_app.ratings import Ratings

    chat = visitor(viewport)
    chat.open_chat()
    chat.wait_for_answer(0)
    chat.ask("淘宝运营和推广专员有什么区别")
    rate = chat.page.locator(".cyl-bot .cyl-rate").last
    rate.get_by_role("button", name="这个回答有用").click()
    expect(rate).to_have_text("谢谢您的反馈")
    # Closes the chat: the launcher on a desktop, the header's close button on a phone.
    chat.page.click(".cyl-launcher" if viewport is DESKTOP else ".cyl-close")
    card = chat.page.locator(".cyl-chat-rating")
    expect(card).to_contain_text("这次对话对您有帮助吗")
    assert axe_violations(chat.page) == []
    chat.screenshot(f"widget-rating-{name_of(viewport)}")
    card.get_by_role("button", name="满意", exact=True).click()
    expect(card).to_have_text("谢谢您的评价！")
    session = chat.stored()["session"]
    counts = Ratings(Archive(f"sqlite:///{site.bot.env['TRACKER_SQLITE_PATH']}").engine).counts(0, "web:" + session)
    assert counts == {("answer", "up"): 1, ("chat", "good"): 1}
    expect(card).to_have_count(0, timeout=6000)  # the thanks go away by themselves
    chat.open_chat()
    chat.page.click(".cyl-launcher" if viewport is DESKTOP else ".cyl-close")
    chat.page.wait_for_timeout(500)
    assert chat.page.locator(".cyl-chat-rating").count() == 0  # asked once per conversation


def test_ratings_are_offered_under_answers_only(visitor):
    chat = visitor()
    chat.open_chat()
    chat.wait_for_answer(0)
    chat.ask("淘宝运营和推广专员有什么区别")  # an answer from the page
    chat.ask("请客服回电")  # the callback form's first question
    chat.page.reload()  # and the same after a reload
    chat.page.wait_for_selector(Widget.RESPONSES)
    rated = [m.locator(".cyl-rate").count() for m in chat.page.locator(".cyl-msg.cyl-bot").all()]
    texts = chat.responses()
    assert rated[0] == 0, "the greeting offers a rating"
    assert [r for r, t in zip(rated, texts) if "推广专员" in t and "定位" in t] == [1]
    assert [r for r, t in zip(rated, texts) if "称呼" in t] == [0], list(zip(rated, texts))


BROKEN_STATES = [
    '{"v": 1, "session": "x", "messages": "no"}',
    '{"v": 99}',
    "not json",
    '{"v": 1, "session": null, "token": null, "messages": [{"from": "bot", "text": 5}], "open": true, "chatRated": 0}',
]
# rasa-webchat's broken state (issue 25: every load crashed until the site's data was cleared).
OLD_WEBCHAT_STATE = '{"session_id": "abc", "conversation": [{"type": "x"}], "params": null}'


def test_stored_state_that_cannot_be_read_is_discarded_and_the_widget_works(visitor, site):
    chat = visitor()
    for broken in BROKEN_STATES:
        chat.page.evaluate(
            "([state, old]) => { localStorage.setItem('cyl_widget', state); localStorage.setItem('chat_session', old); }",
            [broken, OLD_WEBCHAT_STATE],
        )
        chat.page.reload()
        chat.open_chat()
        assert "猜你想问" in chat.wait_for_answer(0), broken
        assert chat.page.evaluate("localStorage.getItem('chat_session')") is None
        chat.page.evaluate("localStorage.clear()")


def test_when_the_chat_itself_cannot_load_the_launcher_shows_the_contacts_and_tries_again(browser, site):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        page = context.new_page()
        chat = Widget(page).open_page(site.url)
        page.route(re.compile(r"/chat-\w+\.js$"), lambda route: route.abort())
        page.click(".cyl-launcher")
        fallback = page.locator(".cyl-fallback")
        expect(fallback).to_contain_text("1454722008")
        assert fallback.locator("a[href='tel:17585982043']").count() == 1
        page.unroute(re.compile(r"/chat-\w+\.js$"))
        page.locator(".cyl-launcher").dispatch_event("click")  # the next tap loads the chat
        page.wait_for_selector(".cyl-input", state="visible")
        assert "猜你想问" in chat.wait_for_answer(0)
    finally:
        context.close()


# --- when the assistant cannot be reached --------------------------------------------------------


@pytest.fixture
def outage(browser, site):
    """The demo page whose socket URL is a relay that the test cuts and restores; the relay starts
    cut. Yields (relay, open_page); socket errors in the console are expected here."""
    relay = Outage(site.bot.rasa_port)
    contexts = []
    env = {"TRACKER_SQLITE_PATH": site.bot.env["TRACKER_SQLITE_PATH"]}
    with WebServer(relay.url, port=site.outage_port, env=env) as web:

        def open_page(viewport=DESKTOP, **options) -> Widget:
            context = browser.new_context(viewport=viewport, locale="zh-CN", **options)
            contexts.append(context)
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            chat = Widget(page).open_page(web.url)
            chat.page_errors = errors
            return chat

        yield relay, open_page
        for context in contexts:
            context.close()
        relay.cut()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_offline_the_contacts_show_a_typed_message_waits_and_is_delivered_once_when_back(outage, site, viewport):
    from conversation_store.archive import Archive

    relay, open_page = outage
    chat = open_page(viewport, permissions=["clipboard-read", "clipboard-write"])
    chat.open_chat()
    chat.page.click(".cyl-human")  # 人工客服 while not connected: the contacts, no crash
    contacts = chat.page.locator(".cyl-offline")
    expect(contacts).to_be_visible()
    assert contacts.locator("a[href='tel:17585982043']").count() == 1
    contacts.locator(".cyl-copy").click()
    expect(contacts.locator(".cyl-copy")).to_have_text("已复制")
    assert chat.page.evaluate("navigator.clipboard.readText()") == "1454722008"
    chat.page.locator(".cyl-input").fill("淘宝运营和推广专员有什么区别")
    chat.page.locator(".cyl-input").press("Enter")
    expect(chat.page.locator(".cyl-me .cyl-pending")).to_have_text("未发送：连接恢复后会自动发送")
    assert chat.page.locator(".cyl-reply:not([disabled])").count() == 0  # no button that cannot work
    chat.screenshot(f"widget-offline-{name_of(viewport)}")
    assert axe_violations(chat.page) == []

    relay.restore()  # the assistant is back: the widget reconnects by itself (back-off under 10 s)
    expect(chat.page.locator(".cyl-status")).to_have_text("已重新连接，可以继续提问了。", timeout=20_000)
    expect(contacts).to_be_hidden()
    answer = chat.wait_for_answer(1 if chat.responses() else 0)
    assert "推广专员" in answer, answer
    expect(chat.page.locator(".cyl-pending")).to_have_count(0)
    chat.page.reload()  # and after a reload, the same conversation, the question sent once
    chat.page.wait_for_selector(Widget.RESPONSES)
    chat.page.wait_for_timeout(1500)
    assert chat.client_messages().count("淘宝运营和推广专员有什么区别") == 1
    session = chat.stored()["session"]
    asked = [m.text for m in Archive(f"sqlite:///{site.bot.env['TRACKER_SQLITE_PATH']}").conversation("web:" + session)]
    assert asked.count("淘宝运营和推广专员有什么区别") == 1, asked
    assert chat.page_errors == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_human_tapped_on_a_throttled_network_then_a_reload_keeps_the_widget_working(outage, viewport):
    relay, open_page = outage
    relay.restore()
    chat = open_page(viewport)
    cdp = chat.page.context.new_cdp_session(chat.page)
    cdp.send("Network.enable")
    slow = {"offline": False, "latency": 2500, "downloadThroughput": 50_000, "uploadThroughput": 50_000}
    cdp.send("Network.emulateNetworkConditions", slow)
    chat.page.click(".cyl-launcher")
    chat.page.locator(".cyl-human").click()  # still connecting on a slow phone network
    expect(chat.page.locator(".cyl-offline")).to_be_visible()
    expect(chat.page.locator(".cyl-launcher")).to_be_visible()
    relay.cut()  # and the server goes away for a moment
    chat.page.wait_for_timeout(1000)
    cdp.send(
        "Network.emulateNetworkConditions", {**slow, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
    )
    relay.restore()
    chat.page.reload()
    chat.open_chat()
    chat.wait_for_answer(0)
    before = len(chat.responses())
    chat.page.click(".cyl-human")
    assert "175-8598-2043" in chat.wait_for_answer(before)
    assert chat.page_errors == []


def test_a_page_on_another_origin_embeds_the_widget_with_one_line(browser, site, tmp_path):
    """The agency's own site: a page on another origin with the one <script> line only."""
    import functools
    import http.server
    import threading

    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>另一个网站</title><link rel="icon" href="data:,"></head>'
        f'<body><h1>另一个网站</h1><script src="{site.url}widget.js" data-socket-url="{site.bot.url}"></script>'
        "</body></html>",
        encoding="utf-8",
    )
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", site.second_port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    traffic = Traffic()
    traffic.watch(context)
    try:
        chat = Widget(context.new_page()).open_page(f"http://127.0.0.1:{site.second_port}/")
        chat.open_chat()
        assert "猜你想问" in chat.wait_for_answer(0)
        assert "推广专员" in chat.ask("淘宝运营和推广专员有什么区别")
        assert not traffic.console_errors and not traffic.external(), (traffic.console_errors, traffic.external())
    finally:
        context.close()
        server.shutdown()
