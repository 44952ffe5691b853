"""The staff console as the agency's sales staff use it, in Chromium at desktop and phone
sizes: login, the lead made through the REST callback flow, its conversation, marking it
contacted, and the report of what visitors asked; plus what the console refuses."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from playwright.sync_api import expect

from channels import rating_token
from harness.bot_process import ROOT, WIDGET_TOKEN_SECRET, BotProcess
from leads import store
from tests.conversation_store.events import events_engine, insert, row, turn
from tests.markers import starts_servers
from tests.web.widget import WebServer, axe_violations
from web_app.staff.accounts import Accounts

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
            for said in ["我想做个小程序多少钱", "好的", name, typed_phone, "想做一个点餐小程序", "随时", "确认"]:
                bot.say(visitor, said)
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
        with pytest.MonkeyPatch.context() as env:
            env.setenv("LEADS_FAST_FORM_SECONDS", "4")  # tests/conftest.py turns it off
            store.save_lead(  # one that looks automated: shown flagged
                channel="rest",
                conversation_id="console-script",
                name="机器人",
                phone="13600136000",
                need="想做网站",
                form_seconds=0.3,
                engine=store.make_engine(stores["LEADS_DATABASE_URL"]),
            )
        # A widget visitor's conversation, and its rating with the token the widget was given.
        insert(events_engine(d / "tracker.db"), turn("web:console-rater-1", time.time(), "你好", "action_greet"))
        token = rating_token.issue("web:console-rater-1", WIDGET_TOKEN_SECRET)
        rating = json.dumps(
            {"session_id": "console-rater-1", "token": token, "kind": "answer", "target": "1", "value": "down"}
        )
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
        page.fill("#username", "admin")
        page.fill("#password", "wrong-password")
        page.click("button[type=submit]")
        expect(page.get_by_role("alert")).to_contain_text("密码不正确")
        expect(page.locator("#username")).to_have_value("admin")  # kept: only the password is typed again
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_role("heading", name="回电线索")).to_be_visible()
        expect(page.locator("li.lead.flagged", has_text="机器人")).to_contain_text("疑似自动提交")

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
        page.fill("#username", "admin")
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
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_role("heading", name="回电线索")).to_be_visible()  # logged in
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
        expect(page.locator("#username")).to_be_visible()
        expect(page.locator("#password")).to_be_visible()
    finally:
        page.close()


class Client:
    """A browser-like HTTP client with cookies, that does not follow redirects; `address` is the
    visitor's address as the project's nginx would pass it (X-Real-IP)."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    class _From(urllib.request.HTTPHandler):
        """Connects from a given loopback address (127.0.0.2, …: all of 127/8 is this machine)."""

        def __init__(self, source: str):
            super().__init__()
            self.source = source

        def http_open(self, req):
            return self.do_open(functools.partial(http.client.HTTPConnection, source_address=(self.source, 0)), req)

    def __init__(self, base: str, address: str | None = None, source: str | None = None):
        self.base = base
        self.address = address
        self.jar = http.cookiejar.CookieJar()
        handlers = [urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect]
        self.opener = urllib.request.build_opener(*handlers, *([self._From(source)] if source else []))

    def request(self, path: str, form: dict | None = None, headers: dict | None = None, body: bytes | None = None):
        data = urllib.parse.urlencode(form).encode() if form is not None else body
        sent = {**({"X-Real-IP": self.address} if self.address else {}), **(headers or {})}
        req = urllib.request.Request(self.base + path, data=data, headers=sent)
        try:
            with self.opener.open(req, timeout=20) as resp:
                return resp.status, dict(resp.headers), resp.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read().decode()

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def login(self, password: str = PASSWORD, username: str = "admin", **headers) -> int:
        if not self.cookie("staff_csrf"):
            self.request("/staff/login")
        form = {"username": username, "password": password, "csrf": self.cookie("staff_csrf")}
        return self.request("/staff/login", form, headers=headers or None)[0]

    def replay(self, name: str, value: str) -> None:
        """Sets a cookie as an attacker who copied it would."""
        for cookie in list(self.jar):
            if cookie.name == name:
                cookie.value = value
                return
        raise AssertionError(f"no cookie {name}")


@pytest.fixture(scope="module")
@starts_servers
def guarded(tmp_path_factory, postgres_database):
    """A console of its own (its failed-login counts are its own), its leads, accounts and
    sessions in PostgreSQL, behind a stand-in for the stack's nginx: it believes X-Real-IP from
    127.0.0.1 (TRUSTED_PROXIES), which the tests send as nginx would."""
    d = tmp_path_factory.mktemp("guarded")
    tracker = events_engine(d / "t.db")
    with WebServer(
        "http://127.0.0.1:5005",
        env={
            "STAFF_PASSWORD": PASSWORD,
            "TRACKER_SQLITE_PATH": str(d / "t.db"),
            "LEADS_DATABASE_URL": postgres_database,
            "TRUSTED_PROXIES": "127.0.0.1",
        },
    ) as web:
        web.base = web.url.rstrip("/")
        web.tracker = tracker
        web.leads = store.make_engine(postgres_database)
        web.accounts = Accounts(lambda: web.leads)
        yield web


@pytest.fixture(scope="module")
@starts_servers
def on_sqlite(tmp_path_factory):
    """A console whose leads are in SQLite (make run's default)."""
    d = tmp_path_factory.mktemp("on-sqlite")
    env = {
        "STAFF_PASSWORD": PASSWORD,
        "TRACKER_SQLITE_PATH": str(d / "t.db"),
        "LEADS_DATABASE_URL": f"sqlite:///{d / 'l.db'}",
    }
    with WebServer("http://127.0.0.1:5005", env=env) as web:
        web.base = web.url.rstrip("/")
        yield web


@pytest.fixture(params=["sqlite", "postgresql"])
def any_console(request):
    return request.getfixturevalue("on_sqlite" if request.param == "sqlite" else "guarded")


def test_cookies_are_httponly_and_samesite_and_a_post_without_the_token_is_refused(guarded):
    client = Client(guarded.base, "192.0.2.10")
    status, headers, _ = client.request("/staff/login")
    assert status == 200 and "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert client.request("/staff/login", {"username": "admin", "password": PASSWORD})[0] == 403  # no CSRF token
    csrf = client.cookie("staff_csrf")
    form = {"username": "admin", "password": PASSWORD, "csrf": csrf}
    assert client.request("/staff/login", form, headers={"Origin": "https://evil.example"})[0] == 403
    status, headers, _ = client.request("/staff/login", {**form, "next": "//evil.example"})
    assert status == 302 and headers["Location"] == "/staff/"  # logged in, never sent to another site
    assert client.request("/staff/")[0] == 200
    assert client.request("/staff/leads/1/contacted", {"csrf": "forged"})[0] == 403


def test_failed_logins_hold_back_their_own_address_never_the_staff(guarded):
    """Issue 23, item 1: behind nginx every client was 127.0.0.1, so five wrong passwords every
    15 minutes kept the whole console closed, and a forged X-Forwarded-For counted too."""
    attacker = Client(guarded.base, "203.0.113.66")
    statuses = [attacker.login(f"guess-{i}") for i in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    status, _, body = attacker.request(
        "/staff/login", {"username": "admin", "password": PASSWORD, "csrf": attacker.cookie("staff_csrf")}
    )
    assert status == 429 and "分钟后再试" in body  # even the right password waits
    # A forged X-Forwarded-For is not another address.
    assert attacker.login("guess", **{"X-Forwarded-For": "198.51.100.1"}) == 429
    # The staff, elsewhere, are not locked out.
    staff = Client(guarded.base, "198.51.100.7")
    assert staff.login() == 302 and staff.request("/staff/")[0] == 200


def test_a_session_ends_at_logout_and_is_new_at_every_login(guarded):
    """Issue 23, item 2: the cookie was expiry.HMAC(expiry): the same for every login in one
    second, and still good for 12 hours after logout."""
    first, second = Client(guarded.base, "192.0.2.20"), Client(guarded.base, "192.0.2.21")
    assert first.login() == 302 and second.login() == 302
    stolen = first.cookie("staff_session")
    assert stolen != second.cookie("staff_session") and len(stolen) >= 40
    status, _, _ = first.request("/staff/logout", {"csrf": first.cookie("staff_csrf")})
    assert status == 302
    thief = Client(guarded.base, "192.0.2.22")
    thief.request("/staff/login")
    thief.jar.set_cookie(_cookie("staff_session", stolen))
    status, headers, _ = thief.request("/staff/")
    assert status == 302 and headers["Location"].startswith("/staff/login")
    assert second.request("/staff/")[0] == 200  # the other browser is still logged in
    # A session id planted before login is never adopted: login makes a new one.
    planted = second.cookie("staff_session")
    assert second.login() == 302 and second.cookie("staff_session") != planted
    thief.replay("staff_session", planted)
    assert thief.request("/staff/")[0] == 302


def test_a_password_change_and_an_admin_end_sessions(guarded):
    guarded.accounts.remove("xiaowang")
    guarded.accounts.add("xiaowang", "xiaowangs-password")
    phone, desk = Client(guarded.base, "192.0.2.30"), Client(guarded.base, "192.0.2.31")
    assert phone.login("xiaowangs-password", "xiaowang") == 302
    assert desk.login("xiaowangs-password", "xiaowang") == 302
    assert phone.request("/staff/sessions")[0] == 403  # admins only
    form = {"current": "xiaowangs-password", "new": "another-password-1", "repeat": "another-password-1"}
    status, headers, _ = desk.request("/staff/password", {**form, "csrf": desk.cookie("staff_csrf")})
    assert status == 302 and desk.request("/staff/")[0] == 200  # this browser stays logged in
    assert phone.request("/staff/")[0] == 302  # every other session of the account ended
    admin = Client(guarded.base, "192.0.2.32")
    assert admin.login() == 302
    status, _, listing = admin.request("/staff/sessions")
    assert status == 200 and "xiaowang" in listing and "192.0.2.31" in listing
    status, _, _ = admin.request("/staff/sessions/revoke", {"account": "xiaowang", "csrf": admin.cookie("staff_csrf")})
    assert status == 302 and desk.request("/staff/")[0] == 302  # revoked by the admin
    assert admin.request("/staff/")[0] == 200


@pytest.mark.parametrize(
    "path, status, says",
    [
        ("/staff/leads/99999999999999999999999", 404, "没有这条线索"),
        ("/staff/leads/2147483648", 404, "没有这条线索"),
        ("/staff/?until=9999-12-31", 400, "超出范围"),
        ("/staff/?since=0001-01-01", 400, "超出范围"),
        ("/staff/?since=2026-13-01", 400, "不是日期"),
        ("/staff/?since=2026-12-07&until=2026-12-01", 400, "晚于"),
        ("/staff/?status=deleted", 400, "状态"),
        ("/staff/leads.csv?until=9999-12-31", 400, "超出范围"),
        ("/staff/report?days=abc", 400, "时间范围"),
        ("/staff/report?days=3650", 400, "时间范围"),
    ],
)
def test_bad_parameters_get_a_clear_400_or_404(any_console, path, status, says):
    """Issue 23, item 14: these answered 500 (a lead id SQLite cannot hold, a date a day past the
    calendar's end), or on PostgreSQL the 503 page that says the database is away."""
    client = Client(any_console.base, "192.0.2.40")
    assert client.login() == 302
    got, _, body = client.request(path)
    assert (got, says in body) == (status, True), body[:300]
    assert "数据库暂时无法访问" not in body


def test_a_bad_lead_id_in_a_post_is_404(any_console):
    client = Client(any_console.base, "192.0.2.41")
    assert client.login() == 302
    for action in ("contacted", "note"):
        status, _, _ = client.request(
            f"/staff/leads/99999999999999999999999/{action}", {"csrf": client.cookie("staff_csrf"), "note": "x"}
        )
        assert status == 404


def test_invisible_characters_never_reach_the_page(guarded):
    """Issue 23, item 13: bidi overrides and zero-width characters were shown raw (here a lead
    stored before the fix, straight into the table)."""
    with guarded.leads.begin() as connection:
        connection.execute(
            store.leads_table.insert().values(
                created_at=store._now(),
                channel="rest",
                conversation_id="raw-visitor",
                name="王\u202e生先",
                phone="13500135000",
                need="做\u200b小程序\u2066",
                status="new",
                request_key="raw-visitor-key",
            )
        )
    client = Client(guarded.base, "192.0.2.42")
    assert client.login() == 302
    _, _, listing = client.request("/staff/?q=13500135000")
    assert "王生先" in listing and "做小程序" in listing
    assert not any(ch in listing for ch in "\u202e\u200b\u2066")


def test_ratings_only_from_the_conversations_own_widget_once_and_not_too_fast(guarded):
    """Issue 23, item 5: POST /ratings took 357 ratings a second from anyone and overwrote a
    known session's rating."""
    insert(
        guarded.tracker,
        turn("web:rated-visitor-1", time.time(), "淘宝运营和推广专员有什么区别", "action_answer_comparison"),
    )
    token = rating_token.issue("web:rated-visitor-1", WIDGET_TOKEN_SECRET)

    def rate(address: str, **fields) -> int:
        body = {"session_id": "rated-visitor-1", "kind": "chat", "value": "bad", "token": token, **fields}
        client = Client(guarded.base, address)
        return client.request("/ratings", body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})[
            0
        ]

    assert rate("192.0.2.50", token="") == 403
    assert rate("192.0.2.50", token=rating_token.issue("web:rated-visitor-1", "guessed-secret-0123456")) == 403
    assert rate("192.0.2.51", value="good") == 204
    assert rate("192.0.2.52", value="bad") == 409  # the first stands
    assert rate("192.0.2.52", kind="answer", target="1", value="up") == 204
    assert rate("192.0.2.52", kind="answer", target="7", value="up") == 404  # no such answer
    flood = [rate("203.0.113.77", session_id=f"flood-{n:06d}", token="x" * 43) for n in range(40)]
    assert set(flood) == {403, 429} and flood[-1] == 429  # forged, then slowed down
    assert rate("192.0.2.53", kind="chat", value="bad") == 409  # another address: still once


def test_a_lead_that_looks_automated_is_shown_flagged(guarded, monkeypatch):
    monkeypatch.setenv("LEADS_FAST_FORM_SECONDS", "4")  # tests/conftest.py turns it off
    store.save_lead(
        channel="rest",
        conversation_id="script-1",
        name="脚本",
        phone="13400134000",
        need="想做网站",
        form_seconds=0.2,
        engine=guarded.leads,
    )
    client = Client(guarded.base, "192.0.2.60")
    assert client.login() == 302
    _, _, flagged = client.request("/staff/?flagged=yes")
    assert "13400134000" in flagged and "疑似自动提交" in flagged
    _, _, others = client.request("/staff/?flagged=no")
    assert "13400134000" not in others


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


def test_the_report_does_not_hold_up_the_widget(tmp_path):
    """Issue 23, item 16: the report read every event in the event loop (2.2 s at 233,000
    events), and the widget's files and ratings waited."""
    tracker = events_engine(tmp_path / "big.db")
    now, rows = time.time(), []
    for n in range(20_000):  # 200,000 events over 30 days
        at = now - (n % 30) * 86400 - n
        rows += turn(f"load-{n}", at, f"随便问问第{n % 500}个问题", "action_clarify" if n % 3 else "action_decline")
        rows += [row(f"load-{n}", "slot", at + 0.05, name="comparison", value=None) for _ in range(5)]
    insert(tracker, rows)
    with WebServer(
        "http://127.0.0.1:5005",
        env={
            "STAFF_PASSWORD": PASSWORD,
            "TRACKER_SQLITE_PATH": str(tmp_path / "big.db"),
            "LEADS_DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}",
        },
    ) as web:
        staff = Client(web.url.rstrip("/"))
        assert staff.login() == 302
        waits = []

        def visitor():
            deadline = time.monotonic() + 6
            while time.monotonic() < deadline:
                started = time.monotonic()
                with urllib.request.urlopen(web.url + "chat.js", timeout=20) as r:
                    r.read()
                waits.append(time.monotonic() - started)
                time.sleep(0.02)

        widget = threading.Thread(target=visitor)
        widget.start()
        time.sleep(0.3)
        reports = []
        for _ in range(3):
            started = time.monotonic()
            status, _, body = staff.request("/staff/report?days=30")
            reports.append(time.monotonic() - started)
            assert status == 200 and "条访客消息" in body
        widget.join()
    assert max(waits) < 0.5, f"the widget's file waited {max(waits):.2f} s for the report"
    assert reports[-1] < 1.0, f"a report took {reports[-1]:.2f} s once the index was built"


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, "127.0.0.1", False, False, "/staff", True, False, None, False, None, None, {}
    )
