"""A staff member works through the review queue (/staff/review): a misread message is listed
with why, its conversation one click away; assigning it to a topic adds one example to the
labels file, a contradiction is shown and not added, and the queue forgets what was decided."""

from __future__ import annotations

import re
import time
from html import unescape
from urllib.parse import quote, unquote_plus

import pytest
import yaml
from playwright.sync_api import expect

from tests.conversation_store.events import events_engine, insert
from tests.learning.test_review import parsed
from tests.markers import starts_servers
from tests.web.widget import WebServer, axe_violations
from tests.web_app.test_staff_console import PASSWORD, SCREENSHOTS, VIEWPORTS, Client

MISREAD = "打广告一般都有哪几种方式"
DECLINED = "帮我查查快递到哪儿了"
UNSURE = "推广要懂数据吗"


def visible(page: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style|select)[\s\S]*?</\1>", " ", page)))


@pytest.fixture
@starts_servers
def console(tmp_path):
    engine = events_engine(tmp_path / "tracker.db")
    now = time.time() - 60
    insert(engine, parsed("web:visitor-1", now, MISREAD, "action_clarify", "nlu_fallback", 0.2, reply="您是不是想问…"))
    insert(engine, parsed("web:visitor-2", now + 1, DECLINED, "action_decline", "out_of_scope", 0.95))
    insert(engine, parsed("web:visitor-2", now + 2, UNSURE, "action_answer_fact", "ask_ops_duties", 0.3))
    labels = tmp_path / "staff_labels.yml"
    env = {
        "STAFF_PASSWORD": PASSWORD,
        "TRACKER_SQLITE_PATH": str(tmp_path / "tracker.db"),
        "LEADS_DATABASE_URL": f"sqlite:///{tmp_path / 'leads.db'}",
        "STAFF_LABELS_PATH": str(labels),
        "LEARNING_DIR": str(tmp_path / "learning"),
    }
    with WebServer("http://127.0.0.1:5005", env=env) as web:
        client = Client(web.url.rstrip("/"))
        client.login()
        yield client, labels


def examples(labels) -> list:
    if not labels.exists():
        return []
    content = yaml.safe_load(labels.read_text(encoding="utf-8"))
    return [(e["text"], block["intent"], e["metadata"]["by"]) for block in content["nlu"] for e in block["examples"]]


def test_a_misread_message_is_queued_and_labelling_it_adds_one_example(console):
    client, labels = console
    status, _, page = client.request("/staff/review")
    shown = visible(page)
    assert status == 200 and MISREAD in shown and DECLINED in shown and UNSURE in shown
    assert "没听懂" in shown and "婉拒" in shown and "把握不大" in shown
    assert "运营的工作内容" in shown and "ask_ops_duties" not in shown  # topics by name, never by id
    links = [unescape(link) for link in re.findall(r'href="(/staff/review/conversation\?[^"]+)"', page)]
    link = next(link for link in links if MISREAD in unquote_plus(link))
    status, _, conversation = client.request(link)
    assert status == 200 and MISREAD in conversation and "您是不是想问" in conversation

    csrf = client.cookie("staff_csrf")
    form = {"csrf": csrf, "text": MISREAD, "decision": "topic", "intent": "ask_ad_forms"}
    status, headers, _ = client.request("/staff/review/decide", form)
    assert status == 302
    status, _, page = client.request(headers["Location"])
    assert "已加入训练数据：网络广告的常见形式" in visible(page) and MISREAD not in visible(page).split("最近的复核")[0]
    assert examples(labels) == [(MISREAD, "ask_ad_forms", "admin")]

    # The same message again (another wording of it) is not added twice.
    client.request("/staff/review/own", {"csrf": csrf, "text": MISREAD + "？", "intent": "ask_ad_forms"})
    assert examples(labels) == [(MISREAD, "ask_ad_forms", "admin")]


def test_a_contradiction_is_flagged_and_the_other_decisions_leave_the_queue(console):
    client, labels = console
    csrf = client.cookie("staff_csrf")
    # 什么叫无形价值 is already an example of ask_intangible_value in data/nlu.yml.
    status, headers, _ = client.request(
        "/staff/review/own", {"csrf": csrf, "text": "什么叫无形价值", "intent": "ask_ad_forms"}
    )
    page = visible(client.request(headers["Location"])[2])
    assert "没有添加" in page and "什么是无形价值" in page and examples(labels) == []

    client.request("/staff/review/decide", {"csrf": csrf, "text": DECLINED, "decision": "out_of_scope"})
    client.request("/staff/review/decide", {"csrf": csrf, "text": UNSURE, "decision": "right"})
    assert examples(labels) == [(DECLINED, "out_of_scope", "admin")]
    page = visible(client.request("/staff/review")[2])
    queue, recent = page.split("最近的复核")
    assert DECLINED not in queue and UNSURE not in queue and MISREAD in queue
    assert "回答正确" in recent and "超出页面范围" in recent

    client.request("/staff/review/own", {"csrf": csrf, "text": "网络推广一般投哪些广告", "intent": "ask_ad_forms"})
    assert examples(labels)[-1] == ("网络推广一般投哪些广告", "ask_ad_forms", "admin")


def test_bad_input_gets_a_clear_answer_and_nothing_without_login(console):
    client, labels = console
    csrf = client.cookie("staff_csrf")
    status, _, page = client.request("/staff/review/decide", {"csrf": csrf, "text": MISREAD, "decision": "topic"})
    assert status == 400 and "请先选择一个话题" in page
    assert client.request("/staff/review/decide", {"csrf": csrf, "text": "", "decision": "nonsense"})[0] == 400
    assert client.request("/staff/review/own", {"csrf": csrf, "text": "x" * 5000, "intent": "greet"})[0] == 400
    assert client.request("/staff/review/own", {"text": MISREAD, "intent": "ask_ad_forms"})[0] == 403  # no CSRF
    assert client.request("/staff/review/conversation?id=" + quote("web:nobody"))[0] == 404
    assert client.request("/staff/review/conversation?id=%00%ff")[0] in (400, 404)
    assert Client(client.base).request("/staff/review")[0] == 302
    assert examples(labels) == []
    status, _, page = client.request(
        "/staff/review/own", {"csrf": csrf, "text": "<script>x</script>", "intent": "greet"}
    )
    assert "<script>x</script>" not in client.request("/staff/review")[2]


def test_the_model_page_shows_the_live_model_and_new_labels_to_admins_only(console):
    client, labels = console
    csrf = client.cookie("staff_csrf")
    client.request("/staff/review/own", {"csrf": csrf, "text": "网络推广一般投哪些广告", "intent": "ask_ad_forms"})
    status, _, page = client.request("/staff/model")
    shown = visible(page)
    assert status == 200 and "正在使用的模型" in shown and "包含的员工标注 0 条" in " ".join(shown.split())
    assert "标注共 1 条，其中 1 条还没有训练进模型" in shown and "更新模型" in shown
    assert client.request("/staff/model/retrain", {})[0] == 403  # no CSRF token: nothing starts
    assert Client(client.base).request("/staff/model")[0] == 302


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_in_the_browser_a_staff_member_reads_the_conversation_and_assigns_the_message(console, browser, viewport):
    client, labels = console
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(client.base + "/staff/login?next=/staff/review")
        page.fill("#username", "admin")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        expect(page.get_by_role("heading", name="待复核的问题")).to_be_visible()
        group = page.locator("li.review-group", has_text=MISREAD)
        expect(group).to_contain_text("没听懂")
        assert axe_violations(page) == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"staff-review-{viewport}.png"), full_page=True)

        group.get_by_role("link", name="查看对话").click()
        expect(page.locator("li.reviewed")).to_contain_text(MISREAD)
        page.go_back()
        group = page.locator("li.review-group", has_text=MISREAD)
        group.get_by_label("应该归入的话题").select_option(label="网络广告的常见形式")
        group.get_by_role("button", name="归入这个话题").click()
        expect(page.get_by_role("status")).to_contain_text("已加入训练数据：网络广告的常见形式")
        expect(page.locator("li.review-group", has_text=MISREAD)).to_have_count(0)
        assert examples(labels) == [(MISREAD, "ask_ad_forms", "admin")]
    finally:
        context.close()
