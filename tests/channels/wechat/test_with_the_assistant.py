"""The trained assistant over the WeChat channel, compared turn by turn with the REST channel."""

import urllib.error
import uuid

import pytest

from channels.wechat.render import answer_from, full_text, paginate
from harness.bot_process import BotProcess, texts
from tests.channels.wechat.harness import AES_KEY, APP_ID, TOKEN, FakeWeChat, text_xml
from tests.markers import starts_servers

CONVERSATION = [
    "你好",
    "淘宝运营和推广专员有什么区别",
    "那能力要求呢?",
    "那定位呢",
    "运营的日常工作有哪些",
    "網絡推廣和運營哪個好找工作",
    "市场部是干嘛的部门",
    "你能做什么",
    "做一个小程序要多少钱",
    "谢谢",
]


@pytest.fixture(scope="module")
@starts_servers
def assistant():
    # No app secret: answers must come as passive replies, as in the simplest deployment.
    # 兼容模式: WeChat sends plain and encrypted requests, and both are tested here.
    env = {
        "WECHAT_TOKEN": TOKEN,
        "WECHAT_AES_KEY": AES_KEY,
        "WECHAT_APP_ID": APP_ID,
        "WECHAT_APP_SECRET": "",
        "WECHAT_MESSAGE_MODE": "compatible",
    }
    with BotProcess(env=env) as running:
        yield running


def wechat_for(assistant) -> FakeWeChat:
    return FakeWeChat(assistant.wechat_url, aes_key=AES_KEY)


def ask(wechat: FakeWeChat, openid: str, text: str, encrypted: bool):
    reply, _ = wechat.deliver(text_xml(openid, text), encrypted=encrypted)
    return reply


def test_difference_then_follow_up_over_wechat(assistant):
    wechat, openid = wechat_for(assistant), "o" + uuid.uuid4().hex[:16]
    first = ask(wechat, openid, "淘宝运营和推广专员有什么区别", encrypted=True)
    assert first.kind == "text" and "淘宝运营" in first.content and "推广专员" in first.content
    assert "**" not in first.content
    follow_up = ask(wechat, openid, "那能力要求呢?", encrypted=True)
    assert follow_up.kind == "text" and "能力" in follow_up.content
    assert follow_up.content != first.content


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_ten_turns_match_the_rest_channel(assistant, encrypted):
    wechat = wechat_for(assistant)
    openid, rest_sender = ("o" + uuid.uuid4().hex[:16] for _ in range(2))
    for text in CONVERSATION:
        answer = answer_from(assistant.say(rest_sender, text))
        reply = ask(wechat, openid, text, encrypted)
        # Without the customer-service API a handoff is answered with the contacts, like REST.
        expected = paginate(full_text(answer, "links"), 2048, 1)[0][0]
        assert (reply.kind, reply.content) == ("text", expected), text


@pytest.mark.parametrize("text", ["人工", "转人工", "我要人工"])
def test_asking_for_a_human_without_app_secret_gives_the_contacts(assistant, text):
    reply = ask(wechat_for(assistant), "o" + uuid.uuid4().hex[:16], text, encrypted=False)
    assert reply.kind == "text" and "175-8598-2043" in reply.content and "1454722008" in reply.content


def test_a_rest_client_cannot_join_a_wechat_followers_conversation(assistant):
    wechat, openid = wechat_for(assistant), "o" + uuid.uuid4().hex[:16]
    for text in ["请客服回电", "赵女士", "13611112222", "想做公众号"]:
        ask(wechat, openid, text, encrypted=False)
    summary = ask(wechat, openid, "明天上午", encrypted=False)
    assert "13611112222" in summary.content
    # The same id over REST is another conversation; the follower's own namespace is refused.
    assert "13611112222" not in texts(assistant.say(openid, "确认"))
    with pytest.raises(urllib.error.HTTPError) as refused:
        assistant.say(f"wechat:{openid}", "确认")
    assert refused.value.code == 400
