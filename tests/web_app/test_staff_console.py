"""The staff console as the agency's sales staff use it, in Chromium at desktop and phone
sizes: login, the lead made through the REST callback flow, its conversation, marking it
contacted, and the report of what visitors asked; plus what the console refuses."""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from harness.bot_process import ROOT, BotProcess
from leads import store
from tests.markers import starts_servers
from tests.web.widget import WebServer, axe_violations

pytestmark = pytest.mark.e2e  # starts the assistant's processes

PASSWORD = "console-test-password"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
VISITORS = {"desktop": ("王先生", "138 0013 8000", "13800138000"), "phone": ("李女士", "139 1234 5678", "13912345678")}
DECLINED = "帮我订个外卖吧"
SCREENSHOTS = ROOT / "results" / "screenshots"


@pytest.fixture(scope="module")
@starts_servers
def console(tmp_path_factory):
    """An assistant and the web application sharing one leads database and one tracker file;
    each viewport's visitor has left a callback request through REST."""
    d = tmp_path_factory.mktemp("console")
    stores = {
        "LEADS_DATABASE_URL": f"sqlite:///{d / 'leads.db'}",
        "TRACKER_SQLITE_PATH": str(d / "tracker.db"),
        "TRACKER_JOURNAL_PATH": str(d / "journal.db"),
    }
    with BotProcess(env=stores) as bot, WebServer(bot.url, env={**stores, "STAFF_PASSWORD": PASSWORD}) as web:
        for viewport, (name, typed_phone, _) in VISITORS.items():
            visitor = f"console-{viewport}"
            for turn in ["我想做个小程序多少钱", "好的", name, typed_phone, "想做一个点餐小程序", "随时", "确认"]:
                bot.say(visitor, turn)
        bot.say("console-declined", DECLINED)
        for question in ["淘宝运营和推广专员有什么区别", "那内容上呢", "什么是无形价值"]:
            bot.say("console-asker", question)
        store.save_lead(
            channel="socketio",
            conversation_id="web:console-wechat",
            name="周女士",
            wechat="wx_sales_1",
            need="想做公众号",
            engine=store.make_engine(stores["LEADS_DATABASE_URL"]),
        )
        rating = json.dumps({"session_id": "console-rater-1", "kind": "answer", "target": "1", "value": "down"})
        urllib.request.urlopen(
            urllib.request.Request(
                web.url + "ratings", data=rating.encode(), headers={"Content-Type": "application/json"}
            )
        )
        yield web


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_staff_log_in_find_the_lead_read_the_conversation_and_mark_it_contacted(console, browser, viewport):
    name, _, phone = VISITORS[viewport]
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    outside = []
    context.on("request", lambda r: outside.append(r.url) if not r.url.startswith(console.url) else None)
    page = context.new_page()
    try:
        page.goto(console.url + "staff/")
        assert "/staff/login" in page.url  # no data without login
        page.fill("#password", "wrong-password")
        page.click("button[type=submit]")
        expect(page.get_by_role("alert")).to_contain_text("密码不正确")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_role("heading", name="回电线索")).to_be_visible()

        page.fill("input[name=q]", name)
        page.click("text=筛选")
        expect(page).to_have_url(re.compile(r"/staff/\?q="))  # the filtered page, not the one before
        lead = page.locator("li.lead", has_text=name)
        expect(lead).to_have_count(1)
        expect(lead.locator(f"a[href='tel:+86{phone}']")).to_be_visible()
        expect(lead).to_contain_text("新线索")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"staff-leads-{viewport}.png"), full_page=True)
        assert axe_violations(page) == []

        lead.locator("a.name").click()
        expect(page).to_have_url(re.compile(r"/staff/leads/\d+$"))
        conversation = page.locator("ol.conversation")
        expect(conversation.locator("li.visitor").first).to_contain_text("我想做个小程序多少钱")
        expect(conversation.locator("li.assistant").first).to_contain_text("175-8598-2043")
        page.click("text=标记为已联系")
        expect(page.get_by_role("status")).to_contain_text("已标记为已联系")
        page.fill("#note", "已电话沟通，周五发报价")
        page.click("text=保存备注")
        expect(page.get_by_role("status")).to_contain_text("备注已保存")  # the POST and its redirect are done
        page.reload()
        expect(page.locator("dd.status")).to_contain_text("已联系")
        expect(page.locator("#note")).to_have_value("已电话沟通，周五发报价")

        page.click("text=访客问题报告")
        expect(page).to_have_url(re.compile(r"/staff/report$"))
        expect(page.get_by_role("heading", name="页面没有涉及、助手婉拒的问题")).to_be_visible()
        expect(page.locator("table", has_text=DECLINED)).to_be_visible()
        topics = page.locator("table", has_text="回答次数")
        expect(topics).to_contain_text("淘宝运营和推广专员的区别")
        expect(topics).to_contain_text("什么是无形价值")
        expect(page.locator("table", has_text="回答：没用")).to_contain_text("回答：没用1")
        page.screenshot(path=str(SCREENSHOTS / f"staff-report-{viewport}.png"), full_page=True)
        assert axe_violations(page) == []
        # Nothing wider than the screen on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS[viewport]["width"]
        assert outside == [], f"the console loaded from outside the site: {outside}"
    finally:
        context.close()


def test_a_wechat_id_is_copied_in_one_tap(console, browser):
    context = browser.new_context(
        viewport=VIEWPORTS["phone"], locale="zh-CN", permissions=["clipboard-read", "clipboard-write"]
    )
    page = context.new_page()
    try:
        page.goto(console.url + "staff/login")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_role("heading", name="回电线索")).to_be_visible()  # logged in
        page.goto(console.url + "staff/?q=wx_sales_1")
        page.get_by_role("button", name="复制微信号 wx_sales_1").click()
        expect(page.get_by_role("button", name="复制微信号 wx_sales_1")).to_have_text("已复制")
        assert page.evaluate("navigator.clipboard.readText()") == "wx_sales_1"
    finally:
        context.close()


def test_a_widget_lead_names_its_channel_in_words(console, browser):
    page = browser.new_page(viewport=VIEWPORTS["desktop"], locale="zh-CN")
    try:
        page.goto(console.url + "staff/login")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(console.url + "staff/?q=wx_sales_1")
        page.locator("li.lead a.name").first.click()
        expect(page.locator("dl.details")).to_contain_text("网站对话框")  # not Rasa's "socketio"
        assert "socketio" not in page.locator("dl.details").inner_text()
    finally:
        page.close()


@pytest.mark.parametrize("path", ["staff/", "staff/report", "staff/leads/1", "staff/leads.csv"])
def test_every_page_without_login_goes_to_the_login_page(console, browser, path):
    page = browser.new_page()
    try:
        page.goto(console.url + path)
        assert "/staff/login" in page.url
        expect(page.locator("#password")).to_be_visible()
    finally:
        page.close()


class Client:
    """A browser-like HTTP client with cookies, that does not follow redirects."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, path: str, form: dict | None = None, headers: dict | None = None):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=20) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)


@pytest.fixture(scope="module")
@starts_servers
def guarded(tmp_path_factory):
    """A console of its own (its failed-login count is its own)."""
    d = tmp_path_factory.mktemp("guarded")
    with WebServer(
        "http://127.0.0.1:5005",
        env={
            "STAFF_PASSWORD": PASSWORD,
            "TRACKER_SQLITE_PATH": str(d / "t.db"),
            "LEADS_DATABASE_URL": f"sqlite:///{d / 'leads.db'}",
        },
    ) as web:
        yield web.url.rstrip("/")


def test_cookies_are_httponly_and_samesite_and_a_post_without_the_token_is_refused(guarded):
    client = Client(guarded)
    status, headers, _ = client.request("/staff/login")
    assert status == 200 and "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert client.request("/staff/login", {"password": PASSWORD})[0] == 403  # no CSRF token
    csrf = client.cookie("staff_csrf")
    assert (
        client.request(
            "/staff/login", {"password": PASSWORD, "csrf": csrf}, headers={"Origin": "https://evil.example"}
        )[0]
        == 403
    )
    status, headers, _ = client.request("/staff/login", {"password": PASSWORD, "csrf": csrf, "next": "//evil.example"})
    assert status == 302 and headers["Location"] == "/staff/"  # logged in, never sent to another site
    assert client.request("/staff/")[0] == 200
    assert client.request("/staff/leads/1/contacted", {"csrf": "forged"})[0] == 403


def test_failed_logins_are_limited(guarded):
    client = Client(guarded)
    client.request("/staff/login")
    csrf = client.cookie("staff_csrf")
    statuses = [client.request("/staff/login", {"password": f"guess-{i}", "csrf": csrf})[0] for i in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    status, _, body = client.request("/staff/login", {"password": PASSWORD, "csrf": csrf})
    assert status == 429 and "分钟后再试" in body  # even the right password waits


def test_without_a_password_the_console_explains_and_shows_nothing(tmp_path):
    with WebServer(
        "http://127.0.0.1:5005",
        env={
            "STAFF_PASSWORD": "",
            "TRACKER_SQLITE_PATH": str(tmp_path / "t.db"),
            "LEADS_DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}",
        },
    ) as web:
        client = Client(web.url.rstrip("/"))
        for path in ("/staff/", "/staff/login", "/staff/report"):
            status, _, body = client.request(path)
            assert status == 503 and "STAFF_PASSWORD" in body and "线索 #" not in body
