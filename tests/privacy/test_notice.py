"""The callback form says, in one line under the contact question, what the number is for and
links to the privacy text, which the agency edits in kb/privacy.md and the web app serves."""

from __future__ import annotations

from actions.callback import ActionAskLeadContact
from tests.action_helpers import run, text_of, tracker
from web_app import site


def test_the_contact_question_says_what_the_number_is_for_and_links_the_privacy_text(monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "90")
    monkeypatch.setenv("PRIVACY_URL", "https://www.chuangyiling.example/privacy")
    messages, _ = run(ActionAskLeadContact(), tracker("好的", "affirm", entities=[]))
    lines = text_of(messages).splitlines()
    assert lines[0].startswith("请留下您的手机号或微信号")
    assert lines[1] == "号码只用于客服回电，90 天后删除，详见[隐私说明](https://www.chuangyiling.example/privacy)。"


def test_the_privacy_page_is_the_editable_text_with_the_limit_and_contacts(monkeypatch):
    monkeypatch.setenv("RETENTION_DAYS", "90")
    page = site.render_privacy().decode()
    assert "<h1>隐私说明</h1>" in page and "保存 90 天" in page
    assert "175-8598-2043" in page and "1454722008" in page
    assert "/privacy" in site.files("http://127.0.0.1:5005")
    blocks = site.privacy_blocks("# 标题\n\n第一段\n接着\n\n## 小节\n\n<b>粗</b>")
    assert blocks == [("h1", "标题"), ("p", "第一段 接着"), ("h2", "小节"), ("p", "<b>粗</b>")]
