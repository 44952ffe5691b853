"""channels/turn.py, step by step, without a Rasa server: a fake agent records what the turn
asks of Rasa (the lock, one read of the conversation, each parse, each handled message)."""

from __future__ import annotations

import asyncio
import time
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
import redis.exceptions
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.lock_store import LockError
from rasa.shared.core.events import UserUttered

from assistant.kb import load_kb
from assistant.phrasebook import say
from channels.limits import MAX_MESSAGE_CHARS
from channels.turn import Turns
from channels.visitor_rate import VisitorRate

CONTACTS = load_kb().contacts
TWO_QUESTIONS = "新媒体推广有什么特点？你们有人工客服吗"
INTENTS = {
    "新媒体推广有什么特点？": "ask_newmedia_features",
    "你们有人工客服吗": "request_human",
    "在吗？": "greet",
}


class FakeAgent:
    """What a turn uses of Rasa's Agent; `answers` maps a text to the bot messages it gets."""

    def __init__(self, slots=None, answers=None, store_error=None, lock_error=None, paused=False):
        self.parsed, self.handled, self.events_kept = [], [], []
        self.paused = paused
        self.slots = slots or {}
        self.answers = answers
        self.store_error, self.lock_error = store_error, lock_error
        self.lock_store = SimpleNamespace(lock=self._lock)
        self.tracker_store = SimpleNamespace(retrieve=self._retrieve, keep_failed_turn=self._keep)
        self.processor = SimpleNamespace(parse_message=self._parse, handle_message=self._handle)

    def is_ready(self):
        return True

    @asynccontextmanager
    async def _lock(self, sender_id):
        if self.lock_error:
            raise self.lock_error
        yield

    async def _retrieve(self, sender_id):
        if self.store_error:
            raise self.store_error
        return SimpleNamespace(
            current_slot_values=lambda: self.slots, active_loop_name=None, is_paused=lambda: self.paused
        )

    async def _keep(self, sender_id, text, reply):
        self.events_kept.append((sender_id, text, reply))

    async def _parse(self, message, tracker):
        self.parsed.append((message.text, message.metadata))
        intent = INTENTS.get(message.text, "ask_difference")
        return {"text": message.text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}

    async def _handle(self, message):
        self.handled.append(message)
        if self.paused:  # Rasa logs the message of a paused conversation and predicts nothing
            return
        replies = self.answers.get(message.text, []) if self.answers is not None else [f"答：{message.text}"]
        for text in replies:
            await message.output_channel.send_response(message.sender_id, {"text": text})


def turn(agent, text, sender="v1", namespace="", rate=None, metadata=None):
    turns = Turns(namespace=namespace, rate=rate or VisitorRate(0, 1), agent_of=lambda: agent)
    output = CollectingOutputChannel()
    message = UserMessage(text, output, sender, metadata=metadata)
    asyncio.run(turns(message))
    return [m.get("text") for m in output.messages], message


def test_an_ordinary_message_is_parsed_once_and_handled_with_that_parse():
    agent = FakeAgent()
    replies, _ = turn(agent, "淘宝运营和推广专员有什么区别")
    assert replies == ["答：淘宝运营和推广专员有什么区别"]
    assert [text for text, _ in agent.parsed] == ["淘宝运营和推广专员有什么区别"]
    assert agent.handled[0].parse_data["intent"]["name"] == "ask_difference"


def test_two_questions_are_two_turns_in_order_each_part_parsed_once():
    agent = FakeAgent()
    replies, _ = turn(agent, TWO_QUESTIONS)
    assert [text for text, _ in agent.parsed] == ["新媒体推广有什么特点？", "你们有人工客服吗"]
    assert [m.text for m in agent.handled] == ["新媒体推广有什么特点？", "你们有人工客服吗"]
    assert [m.parse_data["intent"]["name"] for m in agent.handled] == ["ask_newmedia_features", "request_human"]
    assert replies == ["答：新媒体推广有什么特点？", "答：你们有人工客服吗"]


def test_small_talk_beside_a_question_gets_no_answer_of_its_own():
    agent = FakeAgent()
    replies, _ = turn(agent, "在吗？新媒体推广有什么特点？")
    assert [m.text for m in agent.handled] == ["新媒体推广有什么特点？"]
    assert replies == ["答：新媒体推广有什么特点？"]


def test_a_message_repeated_by_the_second_part_is_sent_once():
    offer = "需要的话，我可以请客服回电。"
    agent = FakeAgent(answers={"新媒体推广有什么特点？": ["特点……", offer], "你们有人工客服吗": ["电话……", offer]})
    replies, _ = turn(agent, TWO_QUESTIONS)
    assert replies == ["特点……", offer, "电话……"]


def test_the_conversation_context_reaches_the_parse():
    agent = FakeAgent(slots={"pair": ["淘宝运营", "推广专员"], "subject": "推广专员", "fact": None})
    turn(agent, "前者需要什么能力")
    _, metadata = agent.parsed[0]
    assert metadata["context"] == {
        "pair": ["淘宝运营", "推广专员"],
        "subject": "推广专员",
        "fact": None,
        "own": None,
        "dimension": None,
    }


def test_the_channel_namespace_and_clean_text():
    agent = FakeAgent()
    _, message = turn(agent, "你好\x1b\x00吗", sender="abc", namespace="web:")
    assert message.sender_id == "web:abc" and agent.handled[0].sender_id == "web:abc"
    assert "\x1b" not in agent.handled[0].text and "\x00" not in agent.handled[0].text


def test_a_too_long_message_gets_one_polite_line_in_the_visitors_script():
    agent = FakeAgent()
    replies, _ = turn(agent, "請問" * MAX_MESSAGE_CHARS)
    assert len(replies) == 1 and str(MAX_MESSAGE_CHARS) in replies[0] and "點" in replies[0]
    assert not agent.parsed and not agent.handled


def test_a_visitor_sending_too_fast_gets_one_polite_line():
    agent, rate = FakeAgent(), VisitorRate(0.001, 1)
    turn(agent, "你好", rate=rate)
    rate.wait_for("v1")  # the allowance is spent: the next would wait far longer than 10 s
    replies, _ = turn(agent, "在吗", rate=rate)
    assert replies == [say("too_fast")]


@pytest.mark.parametrize(
    "broken",
    [
        {"lock_error": LockError("Redis is down")},
        {"store_error": redis.exceptions.ConnectionError("refused")},
    ],
)
def test_a_store_outage_gives_the_apology_kept_for_the_record(broken):
    agent = FakeAgent(**broken)
    replies, _ = turn(agent, "你好")
    assert len(replies) == 1 and CONTACTS["phone"] in replies[0] and CONTACTS["wechat"] in replies[0]
    assert agent.events_kept == [("v1", "你好", replies[0])]


def test_a_turn_that_ends_without_a_message_gets_the_apology():
    agent = FakeAgent(answers={})
    replies, _ = turn(agent, "淘宝运营和推广专员有什么区别")
    assert replies == [say("degraded")]


def test_the_apology_follows_a_traditional_visitor():
    agent = FakeAgent(answers={})
    replies, _ = turn(agent, "淘寶運營和推廣專員有什麼區別")
    assert replies and "係統" not in replies[0] and "聯繫" in replies[0]


def test_each_turn_is_counted_for_its_channel_with_its_intent():
    from prometheus_client import REGISTRY

    def count(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = count("assistant_turns_total", channel="rest"), count("assistant_intents_total", intent="request_human")
    agent = FakeAgent()
    turns = Turns(rate=VisitorRate(0, 1), agent_of=lambda: agent)
    asyncio.run(turns(UserMessage("你们有人工客服吗", CollectingOutputChannel(), "v9", input_channel="rest")))
    after = count("assistant_turns_total", channel="rest"), count("assistant_intents_total", intent="request_human")
    assert after == (before[0] + 1, before[1] + 1)


class StampingAgent(FakeAgent):
    """Like Rasa, stamps each bot message with the time it was uttered; buttons on the last one."""

    async def _handle(self, message):
        self.handled.append(message)
        replies = self.answers.get(message.text, [])
        for i, text in enumerate(replies):
            extra = {"buttons": [{"title": "联系客服", "payload": "/request_human"}]} if i == len(replies) - 1 else {}
            await message.output_channel.send_response(
                message.sender_id, {"text": text, "timestamp": len(self.handled) + i / 10, **extra}
            )


def test_the_same_message_uttered_twice_at_different_times_is_sent_once():
    offer = "需要的话，我可以请客服回电。"
    agent = StampingAgent(answers={"新媒体推广有什么特点？": ["特点……", offer], "你们有人工客服吗": ["电话……", offer]})
    replies, _ = turn(agent, TWO_QUESTIONS)
    assert replies.count(offer) == 1


def test_three_questions_with_two_messages_each_reach_the_visitor_in_at_most_three():
    INTENTS.update({"市场部怎么定义": "ask_marketing_definition", "无形价值指什么": "ask_intangible_value"})
    answers = {
        "新媒体推广有什么特点": ["特点……", "还想了解什么？"],
        "市场部怎么定义": ["定义……", "还想了解哪一点？"],
        "无形价值指什么": ["无形价值……", "需要举例吗？"],
    }
    agent = StampingAgent(answers=answers)
    turns = Turns(rate=VisitorRate(0, 1), agent_of=lambda: agent)
    output = CollectingOutputChannel()
    asyncio.run(turns(UserMessage("问三点：1. 新媒体推广有什么特点 2. 市场部怎么定义 3. 无形价值指什么", output, "v9")))
    assert len(agent.handled) == 3
    assert 1 <= len(output.messages) <= 3
    said = "\n".join(m["text"] for m in output.messages)
    for texts in answers.values():
        assert all(t in said for t in texts)
    assert sum(1 for m in output.messages if m.get("buttons")) == 3  # every part's buttons kept


def test_the_last_piece_of_a_question_typed_in_pieces_is_answered_with_the_whole_reading():
    INTENTS.update({"到底指啥": "nlu_fallback", "市场部说的无形价值到底指啥": "ask_intangible_value"})
    agent = FakeAgent()
    earlier = [
        UserUttered("市场部说的", parse_data={"intent": {"name": "nlu_fallback"}}, timestamp=time.time() - 20),
        UserUttered("无形价值", parse_data={"intent": {"name": "nlu_fallback"}}, timestamp=time.time() - 10),
    ]
    _with_history(agent, earlier)
    turn(agent, "到底指啥")
    assert agent.handled[-1].text == "到底指啥"
    assert agent.handled[-1].parse_data["intent"]["name"] == "ask_intangible_value"


def test_a_conversation_a_person_took_over_is_logged_unsplit_and_the_assistant_stays_silent(monkeypatch):
    noted = []
    monkeypatch.setattr("takeover.queue.visitor_said", noted.append)
    agent = FakeAgent(paused=True)
    said, _ = turn(agent, "淘宝运营和推广专员有什么区别？网络推广需要什么能力？", namespace="web:")
    assert said == []  # neither an answer nor the apology: the agent answers
    assert [m.text for m in agent.handled] == ["淘宝运营和推广专员有什么区别？网络推广需要什么能力？"]
    assert agent.parsed == []  # not split into questions for the assistant
    assert noted == ["web:v1"]  # the idle timer counts from here


def test_a_page_question_with_a_request_for_a_person_gets_the_answer_then_the_contacts():
    INTENTS["运营和市场有什么区别，还是找真人细聊吧"] = "ask_difference"
    agent = FakeAgent()
    turn(agent, "运营和市场有什么区别，还是找真人细聊吧")
    assert [m.parse_data["intent"]["name"] for m in agent.handled] == ["ask_difference", "request_human"]


def test_a_page_question_alone_gets_no_contacts_added():
    agent = FakeAgent()
    turn(agent, "运营和市场有什么区别")
    assert [m.parse_data["intent"]["name"] for m in agent.handled] == ["ask_difference"]


def _with_history(agent, earlier):
    retrieve = agent._retrieve

    async def with_history(sender_id):
        tracker = await retrieve(sender_id)
        tracker.events = earlier
        return tracker

    agent.tracker_store.retrieve = with_history


def test_a_question_in_the_visitors_own_names_is_read_in_the_pages_and_kept_in_theirs():
    INTENTS["运营和市场谁包含谁"] = "ask_ops_contains_marketing"
    agent = FakeAgent()
    said = UserUttered(
        "我们这边：增长中心=运营，品牌部=市场", parse_data={"intent": {"name": "inform"}}, timestamp=time.time() - 300
    )
    _with_history(agent, [said])
    turn(agent, "增长中心和品牌部谁包含谁")
    assert agent.parsed[-1][0] == "运营和市场谁包含谁"
    assert agent.handled[-1].text == "增长中心和品牌部谁包含谁"  # the record keeps what they typed
    assert agent.handled[-1].parse_data["intent"]["name"] == "ask_ops_contains_marketing"


def test_nothing_is_renamed_when_no_name_was_declared():
    agent = FakeAgent()
    turn(agent, "增长中心和品牌部谁包含谁")
    assert agent.parsed[-1][0] == "增长中心和品牌部谁包含谁"


def test_a_fault_in_reading_the_message_gets_the_apology_not_silence():
    agent = FakeAgent()

    async def broken(message, tracker):
        raise TypeError("a component's bug")

    agent.processor.parse_message = broken
    texts, _ = turn(agent, "你好")
    assert texts == [say("degraded")]


def _held(text, ago):
    return UserUttered(text, parse_data={"intent": {"name": "hold_on"}}, timestamp=time.time() - ago)


def test_a_visitor_who_asked_to_wait_is_answered_only_at_the_go_ahead_with_all_they_said():
    agent = FakeAgent()
    turn(agent, "先别回 等我打完")
    assert agent.parsed == [] and agent.handled[-1].parse_data["intent"]["name"] == "hold_on"
    _with_history(agent, [_held("先别回 等我打完", 30)])
    turn(agent, "我们是做家居的天猫店")
    assert agent.parsed == [] and agent.handled[-1].parse_data["intent"]["name"] == "hold_on"
    _with_history(agent, [_held("先别回 等我打完", 30), _held("淘宝运营和推广专员有什么区别", 20)])
    replies, _ = turn(agent, "好了 说吧")
    assert [text for text, _ in agent.parsed] == ["淘宝运营和推广专员有什么区别"]
    assert agent.handled[-1].parse_data["intent"]["name"] == "ask_difference"


def test_after_a_dimension_of_a_comparison_its_two_roles_are_the_context():
    agent = FakeAgent(slots={"comparison": "taobao_vs_promoter", "dimension": "content"})
    turn(agent, "除了内容这一条，它俩还从哪几个方面有区别")
    _, metadata = agent.parsed[0]
    assert metadata["context"]["pair"] == ["taobao_ops", "promoter"]
