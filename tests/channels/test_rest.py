"""The REST channel as a public endpoint: its own conversations, clear errors, clean text."""

import http.client
import json
import uuid

import pytest

from harness.bot_process import texts

pytestmark = pytest.mark.e2e


def status_of(bot, body: bytes) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", bot.rasa_port, timeout=30)
    try:
        conn.request("POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


@pytest.mark.parametrize(
    "body",
    [
        {"message": "你好"},
        {"sender": "", "message": "你好"},
        {"sender": 42, "message": "你好"},
        {"sender": "x" * 300, "message": "你好"},
        {"sender": "wechat:o123", "message": "你好"},
        {"sender": "web:abc", "message": "你好"},
        {"sender": "visitor\u202e1", "message": "你好"},
        {"sender": "visitor\u200b1", "message": "你好"},
    ],
    ids=["no sender", "empty", "number", "too long", "wechat namespace", "widget namespace", "bidi", "zero-width"],
)
def test_a_sender_that_is_missing_too_long_or_anothers_namespace_gets_400(bot, body):
    status, text = status_of(bot, json.dumps(body).encode())
    assert status == 400 and "sender" in text


@pytest.mark.parametrize(
    "message", ["", "   ", "\x1b\x00", None, 42], ids=["empty", "spaces", "control", "null", "number"]
)
def test_a_message_without_text_gets_a_clear_400_and_one_short_log_line(bot, message):
    """Issue 23, item 7: an empty REST message answered a silent `200 []` and logged 11.5 KB."""
    log = bot.log_dir / "rasa.log"
    before = log.stat().st_size
    status, text = status_of(bot, json.dumps({"sender": f"empty-{uuid.uuid4().hex[:6]}", "message": message}).encode())
    assert status == 400 and "message" in text
    written = log.read_bytes()[before:].decode("utf-8", "replace")
    assert "Traceback" not in written and len(written) < 1000


def test_visitors_without_a_sender_never_share_a_conversation(bot):
    # Rasa's REST channel put them all into one `default` conversation, so B read A's phone.
    for text in ["请客服回电", "13800138000"]:
        status, _ = status_of(bot, json.dumps({"message": text}).encode())
        assert status == 400


def test_a_lone_surrogate_does_not_silence_the_conversation(bot):
    sender = f"s-{uuid.uuid4().hex[:8]}"
    first = bot.say(sender, "\ud800 运营和市场部门有什么区别")
    assert first and "务实" in texts(first)
    assert "大局观" in texts(bot.say(sender, "淘宝运营需要什么能力"))


def test_a_nul_in_the_text_does_not_cut_the_question_short(bot):
    reply = texts(bot.say(f"n-{uuid.uuid4().hex[:8]}", "淘宝运营\u0000和推广专员有什么区别"))
    assert "淘宝运营" in reply and "推广专员" in reply and "能力" in reply


def test_two_questions_in_one_message_get_both_answers_in_order(bot):
    messages = bot.say(f"q-{uuid.uuid4().hex[:8]}", "新媒体推广有什么特点？另外你们有人工客服吗")
    reply = texts(messages)
    assert 1 <= len(messages) <= 3
    assert "个性化" in reply and "175-8598-2043" in reply
    assert reply.index("个性化") < reply.index("175-8598-2043")


def test_small_talk_beside_a_question_is_not_answered_on_its_own(bot):
    reply = texts(bot.say(f"g-{uuid.uuid4().hex[:8]}", "你好，在吗？想问下市场和运营有啥相似的地方？"))
    assert "写文案" in reply and "我是创意岭的客服助手" not in reply


def test_a_follow_up_with_a_pronoun_uses_the_conversation(bot):
    sender = f"p-{uuid.uuid4().hex[:8]}"
    bot.say(sender, "网络推广和运营有什么区别")
    assert "关键词广告" in texts(bot.say(sender, "前者常用哪些广告形式"))
    assert "各有各的优点" in texts(bot.say(sender, "它俩哪个好找工作"))


def test_a_huge_body_gets_413_and_other_visitors_keep_their_answers(bot):
    status, _ = status_of(bot, json.dumps({"sender": "big", "message": "运" * 400_000}).encode())
    assert status == 413  # Sanic's default would read 100 MB
    assert "务实" in texts(bot.say(f"s-{uuid.uuid4().hex[:8]}", "运营和市场部门有什么区别"))


def test_a_too_long_message_gets_one_polite_reply_in_the_visitors_script(bot):
    sender = f"l-{uuid.uuid4().hex[:8]}"
    story = "我想說一下我的情況，" * 300 + "網路推廣和運營哪個好就業？"
    messages = bot.say(sender, story)
    assert len(messages) == 1 and "長" in texts(messages) and "175-8598-2043" in texts(messages)
    # The question alone is then answered as usual.
    assert "就业" in texts(bot.say(sender, "网络推广和运营哪个好就业"))
