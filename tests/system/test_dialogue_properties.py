"""Every visitor message, in any conversation state, gets one to three bot messages and the
assistant then listens: no loop of fallbacks, no silence, no exception.

The trained assistant runs in-process (Rasa's Agent behind this project's turn,
channels/turn.py, as every channel runs it) against a real action server; hypothesis
generates the messages.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.phrasebook import say
from harness.bot_process import MODEL, ActionServerProcess
from tests.markers import starts_servers

pytestmark = pytest.mark.e2e

# Ways into each state a conversation can be in when the generated message arrives.
STATES = {
    "fresh": [],
    "after a comparison": ["淘宝运营和推广专员有什么区别"],
    "after a fact": ["什么是无形价值"],
    "after a decline": ["明天会下雨吗"],
    "after a handoff": ["转人工"],
    "after a clarification": ["嗯那个就是"],
    "after a typed phone number": ["13912345678"],
    "form asks the name": ["请客服回电"],
    "form asks the contact": ["请客服回电", "王先生"],
    "form asks the need": ["请客服回电", "王先生", "13800138000"],
    "form asks the time": ["请客服回电", "王先生", "13800138000", "想做一个企业官网"],
    "summary shown": ["请客服回电", "王先生", "13800138000", "想做一个企业官网", "明天下午三点"],
    "after the lead is saved": ["请客服回电", "王先生", "13800138000", "想做一个企业官网", "明天下午三点", "确认"],
}

PAGE_QUESTIONS = [
    "运营和市场部门有什么区别",
    "那能力要求呢",
    "前者呢",
    "网络推广和运营哪个更好就业",
    "新媒体推广有什么特点？你们有人工客服吗",
    "淘寶營運同推廣專員有咩分別",
    "online ads有哪些format",
    "小程序开发多少钱",
    "人工",
    "更多",
    "算了",
    "确认",
    "电话写错了",
    "我的微信是 abc123",
    "随时",
    "王先生",
    "想做淘宝店铺推广",
    "再见",
    "谢谢",
    "/request_human",
    '/ask_difference{"comparison": "ecom_vs_newmedia"}',
    "/affirm",
    "/nonsense",
    '/inform{"x":',
]
messages = st.one_of(
    st.integers(min_value=-10, max_value=10**12).map(str),
    st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    st.from_regex(r"1[3-9]\d-\d{4}-\d{4}", fullmatch=True),
    st.sampled_from(["?", "。", "！！！", "...", "~", "，", "@", "#", "%", "&", "*", "()", "[]", "{}", '"', "'"]),
    st.sampled_from(["😀", "👍", "🙏🙏", "❤️", "🤔？"]),
    st.sampled_from(["https://example.com", "www.baidu.com", "http://x.cn/a?b=1"]),
    st.characters(blacklist_categories=("Cs",)).filter(lambda c: c.strip()),
    st.sampled_from(PAGE_QUESTIONS),
    st.text(min_size=1, max_size=40).filter(lambda t: t.strip()),
    st.text(alphabet="运营推广市场淘宝的区别吗什么哪个人工电话微信1234567890？", min_size=1, max_size=20),
)

TURNS_CHECKED = {"count": 0}


@pytest.fixture(scope="module")
@starts_servers
def agent():
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    from channels.turn import Turns
    from channels.visitor_rate import VisitorRate

    with ActionServerProcess() as actions:
        loop = asyncio.new_event_loop()
        loaded = Agent.load(str(MODEL), action_endpoint=EndpointConfig(actions.webhook_url, headers=actions.headers))
        yield loaded, loop, Turns(rate=VisitorRate(0, 1), agent_of=lambda: loaded)
        loop.close()
    print(f"\ngenerated and checked turns: {TURNS_CHECKED['count']}")


def _turn(agent_and_loop, sender: str, text: str) -> list:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    agent, loop, turns = agent_and_loop
    output = CollectingOutputChannel()
    loop.run_until_complete(turns(UserMessage(text, output, sender)))
    tracker = loop.run_until_complete(agent.tracker_store.retrieve(sender))
    assert tracker.latest_action_name == "action_listen", (text, tracker.latest_action_name)
    assert 1 <= len(output.messages) <= 3, (text, [m.get("text") for m in output.messages])
    assert all(m.get("text") or m.get("buttons") or m.get("custom") for m in output.messages), output.messages
    # The turn's apology stands in for silence; with every server up, nothing may need it.
    assert not any(m.get("text") == say("degraded") for m in output.messages), text
    return output.messages


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=st.sampled_from(sorted(STATES)), texts=st.lists(messages, min_size=1, max_size=4))
def test_every_message_gets_one_to_three_messages_then_the_assistant_listens(agent, state, texts):
    sender = f"prop-{uuid.uuid4().hex}"
    for text in STATES[state]:
        _turn(agent, sender, text)
    for text in texts:
        _turn(agent, sender, text)
        TURNS_CHECKED["count"] += 1
