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

import pytest
from playwright.sync_api import expect

from harness.bot_process import free_port
from tests.markers import starts_servers
from tests.web.widget import CorsBotProcess, Traffic, WebServer, Widget, axe_violations

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
CJK = re.compile(r"[\u4e00-\u9fff]")


class Site(NamedTuple):
    url: str
    bot: CorsBotProcess


@pytest.fixture(scope="module")
@starts_servers
def site():
    """The assistant and the web server, the page's origin allowed by Rasa's CORS setting."""
    web_port = free_port()
    with (
        CorsBotProcess(web_origin=f"http://127.0.0.1:{web_port}") as bot,
        WebServer(bot.url, port=web_port, env={"TRACKER_SQLITE_PATH": bot.env["TRACKER_SQLITE_PATH"]}) as web,
    ):
        yield Site(web.url, bot)


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

    assert chat.page.inner_text(".rw-header .rw-title") == "创意岭客服助手"
    assert chat.page.get_attribute(".rw-new-message", "placeholder") == "请输入您的问题"
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

    box = chat.page.locator(".rw-new-message")
    box.fill("淘宝运营和推广专员有什么区别")
    sent = time.monotonic()
    box.press("Enter")
    typing = chat.page.wait_for_selector(Widget.TYPING, timeout=5000)
    typing_text = typing.evaluate("el => getComputedStyle(el.querySelector('.rw-response'), '::after').content")
    answer = chat.wait_for_answer(1)
    # The first answer shows up quickly: no artificial typing delay beyond a short one.
    assert chat.page.locator(Widget.RESPONSES).count() > 1
    assert time.monotonic() - sent < 6
    assert "正在输入" in typing_text
    assert "淘宝运营" in answer and "推广专员" in answer, answer
    assert chat.page.locator(".rw-markdown strong, .rw-markdown li").count() > 0, (
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
    assert chat.page.locator(".rw-messages-container img[src='x']").count() == 0
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

    for selector in (".rw-conversation-container", ".rw-header", ".rw-new-message"):
        box = chat.page.locator(selector).bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0, (selector, box)
        assert box["x"] + box["width"] <= PHONE["width"] + 0.5, (selector, box)
        assert box["y"] + box["height"] <= PHONE["height"] + 0.5, (selector, box)
    assert chat.page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_page_loads_nothing_from_outside_the_site(site):
    with urllib.request.urlopen(site.url) as page:
        csp = page.headers["Content-Security-Policy"]
    with urllib.request.urlopen(site.url + "webchat.js") as script:
        build = script.read().decode("utf-8")
    assert "default-src 'none'" in csp and "script-src 'self';" in csp, csp
    assert "googleapis" not in build and "@import url(http" not in build


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
            await ws.send_str('42["session_request",{"session_id":null}]')
            session = "none"
            if frames[0].startswith("40"):
                confirm = await asyncio.wait_for(ws.receive(), 15)
                session = json.loads(confirm.data[2:])[1]
            await ws.send_str(
                "42"
                + json.dumps(
                    ["user_uttered", {"message": "淘宝运营和推广专员有什么区别", "session_id": session}],
                    ensure_ascii=False,
                )
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


# --- what web/chat.js adds to rasa-webchat ------------------------------------------------------

COMPOSING_ENTER = """box => {
    const enter = {key: "Enter", code: "Enter", keyCode: 13, which: 13, bubbles: true, cancelable: true};
    box.dispatchEvent(new CompositionEvent("compositionstart", {bubbles: true, data: ""}));
    box.dispatchEvent(new KeyboardEvent("keydown", {...enter, isComposing: true}));
    box.dispatchEvent(new KeyboardEvent("keydown", {...enter, keyCode: 229, which: 229, isComposing: true}));
    box.dispatchEvent(new CompositionEvent("compositionend", {bubbles: true, data: "运营"}));
}"""


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_enter_while_choosing_a_pinyin_candidate_does_not_send(visitor, viewport):
    chat = visitor(viewport)
    chat.open_chat()
    chat.wait_for_answer(0)
    box = chat.page.locator(".rw-new-message")
    box.fill("淘宝yun")
    box.evaluate(COMPOSING_ENTER)
    chat.page.wait_for_timeout(800)
    assert chat.client_messages() == [], "half-typed pinyin was sent"
    assert box.input_value() == "淘宝yun"
    box.fill("淘宝运营和推广专员有什么区别")
    before = len(chat.responses())
    box.press("Enter")  # a real Enter after composition sends
    assert "推广专员" in chat.wait_for_answer(before)
    times = [t.strip() for t in chat.page.locator(".rw-message-date").all_inner_texts()]
    assert times and all(re.fullmatch(r"\d\d:\d\d", t) for t in times), times  # each message's time


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_controls_have_names_answers_are_announced_and_quick_replies_work_by_keyboard(visitor, viewport):
    chat = visitor(viewport)
    chat.page.keyboard.press("Tab")
    launcher = chat.page.locator(".rw-launcher")
    assert launcher.get_attribute("aria-label")
    chat.open_chat()
    chat.wait_for_answer(0)
    for selector in (".rw-new-message", ".rw-send", ".cyl-human"):
        assert chat.page.locator(selector).get_attribute("aria-label"), selector
    log = chat.page.locator(".rw-messages-container")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"
    reply = chat.page.locator(Widget.REPLIES, has_text="淘宝运营").first
    assert reply.get_attribute("role") == "button" and reply.get_attribute("tabindex") == "0"
    before = len(chat.responses())
    reply.focus()
    chat.page.keyboard.press("Enter")
    assert "推广专员" in chat.wait_for_answer(before)


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
    call = chat.page.locator(".rw-from-response a[href='tel:17585982043']").last
    assert call.inner_text() == "175-8598-2043"
    copy = chat.page.locator(".rw-from-response .cyl-copy").last
    copy.click()
    expect(copy).to_have_text("已复制")
    assert chat.page.evaluate("navigator.clipboard.readText()") == "1454722008"
    chat.screenshot(f"widget-person-{'phone' if viewport is PHONE else 'desktop'}")


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
    log = chat.page.locator(".rw-messages-container").bounding_box()
    answer = chat.page.locator(".rw-group-message.rw-from-response").last.bounding_box()
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
            assert page.locator(".rw-header img[src$='avatar.svg']").count() == 1
            assert page.locator(".rw-from-response img[src$='avatar.svg']").count() >= 1
            width = page.locator(".rw-conversation-container").bounding_box()["width"]
            assert width >= 420 if viewport is DESKTOP else width == viewport["width"]  # room for long answers
            chat.screenshot(f"widget-after-hours-{'phone' if viewport is PHONE else 'desktop'}")
        finally:
            page.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_typing_suggests_page_questions_by_simplified_traditional_or_pinyin_initials(visitor, viewport):
    chat = visitor(viewport, has_touch=viewport is PHONE)
    chat.open_chat()
    assert "猜你想问" in chat.wait_for_answer(0) and len(chat.reply_titles()) >= 5  # the chips on opening
    box = chat.page.locator(".rw-new-message")
    options = chat.page.locator(".cyl-suggest[role=listbox] [role=option]")
    for typed in ("无形", "無形", "smsw"):
        box.fill(typed)
        expect(options.first).to_have_text("什么是无形价值")
    box.fill("")
    box.type("淘宝")  # typed key by key, as a visitor does
    expect(options.first).to_contain_text("淘宝运营")
    assert axe_violations(chat.page) == []  # the open list too
    chat.screenshot(f"widget-suggestions-{'phone' if viewport is PHONE else 'desktop'}")
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


def test_no_suggestion_list_while_a_pinyin_candidate_is_being_chosen(visitor):
    chat = visitor()
    chat.open_chat()
    chat.wait_for_answer(0)
    box = chat.page.locator(".rw-new-message")
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
    rate = chat.page.locator(".rw-from-response .cyl-rate").last
    rate.get_by_role("button", name="这个回答有用").click()
    expect(rate).to_have_text("谢谢您的反馈")
    # Closes the chat: the launcher on a desktop, the header's close button on a phone.
    chat.page.click(".rw-launcher" if viewport is DESKTOP else ".rw-close-button")
    card = chat.page.locator(".cyl-chat-rating")
    expect(card).to_contain_text("这次对话对您有帮助吗")
    assert axe_violations(chat.page) == []
    card.get_by_role("button", name="满意", exact=True).click()
    expect(card).to_have_text("谢谢您的评价！")
    chat.screenshot(f"widget-rating-{'phone' if viewport is PHONE else 'desktop'}")
    session = chat.page.evaluate("JSON.parse(localStorage.getItem('chat_session')).session_id")
    counts = Ratings(Archive(f"sqlite:///{site.bot.env['TRACKER_SQLITE_PATH']}").engine).counts(0, "web:" + session)
    assert counts == {("answer", "up"): 1, ("chat", "good"): 1}
    expect(card).to_have_count(0, timeout=6000)  # the thanks go away by themselves
    chat.open_chat()
    chat.page.click(".rw-launcher" if viewport is DESKTOP else ".rw-close-button")
    chat.page.wait_for_timeout(500)
    assert chat.page.locator(".cyl-chat-rating").count() == 0  # asked once per conversation
