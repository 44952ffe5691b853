"""What the Rasa server adds around understanding a message.

- Context for the NLU: before a message is parsed, the conversation's current pair of
  roles and side go into its metadata (`context`), so that the clause reader
  (assistant.clauses) can turn 前者 / 它俩 / 另一个 into the roles meant.
- Two questions in one message (新媒体推广有什么特点？你们有人工客服吗): each is handled
  as its own turn, in the order asked, and a bot message repeated by the second (the
  callback offer) is sent once. Small talk beside a real question (你好，在吗？…) is not
  answered separately. Inside the callback form a message is never split: it is an answer.
"""

from __future__ import annotations

import json
import logging
from functools import wraps
from typing import Any, Dict, List, Optional

from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.processor import MessageProcessor

from assistant.clauses import separate_questions
from assistant.kb import load_kb

logger = logging.getLogger(__name__)
# Intents that are not worth a reply of their own beside a real question.
SMALL_TALK = {"greet", "thank", "affirm", "goodbye"}
NOT_UNDERSTOOD = {"nlu_fallback", "out_of_scope", "inform", None}
MAX_PARTS = 2


def conversation_context(tracker) -> Dict[str, Any]:
    slots = tracker.current_slot_values() if tracker is not None else {}
    return {"pair": slots.get("pair") or [], "subject": slots.get("subject"), "fact": slots.get("fact")}


def _with_context(message: UserMessage, tracker) -> UserMessage:
    metadata = dict(message.metadata) if isinstance(message.metadata, dict) else {}
    metadata["context"] = conversation_context(tracker)
    message.metadata = metadata
    return message


def _install_context() -> None:
    original = MessageProcessor._parse_message_with_graph
    if getattr(original, "adds_context", False):
        return

    @wraps(original)
    def parse(self, message, tracker, only_output_properties=True):
        return original(self, _with_context(message, tracker), tracker, only_output_properties)

    parse.adds_context = True
    MessageProcessor._parse_message_with_graph = parse


class _OncePerMessage(CollectingOutputChannel):
    """Forwards bot messages to the visitor's channel, each distinct message once."""

    def __init__(self, inner: OutputChannel):
        self.inner = inner
        self.messages = getattr(inner, "messages", [])
        self._seen: set = set()

    def name(self) -> str:
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        key = json.dumps(message, sort_keys=True, ensure_ascii=False, default=str)
        if key in self._seen:
            return
        self._seen.add(key)
        await self.inner.send_response(recipient_id, message)

    def __getattr__(self, item):
        return getattr(self.inner, item)


async def _parts_worth_answering(agent: Agent, message: UserMessage, parts: List[str]) -> List[str]:
    tracker = await agent.tracker_store.retrieve(message.sender_id)
    if tracker is not None and tracker.active_loop_name:
        return []
    kb = load_kb()
    kept = []
    for part in parts:
        parsed = await agent.processor.parse_message(
            UserMessage(part, sender_id=message.sender_id, metadata=message.metadata), tracker
        )
        intent = (parsed.get("intent") or {}).get("name")
        gap = any(e.get("entity") == "gap" for e in parsed.get("entities") or [])
        # A part asking for a fact must say something of it: 哪个更该先招？ after a comparison is
        # the same question going on, not one about job prospects.
        fact = kb.fact_for_intent(intent or "")
        read = str((parsed.get("reading") or {}).get("focus") or part)
        if fact and not gap and not kb.fact_supported(fact, read):
            continue
        if intent not in SMALL_TALK and (gap or intent not in NOT_UNDERSTOOD):
            kept.append(part)
    # Two understood questions are answered in turn; with one, only that one (the other was
    # small talk or not understood, and would only add a 您是不是想问 to the answer).
    return kept[:MAX_PARTS]


def _install_two_questions() -> None:
    original = Agent.handle_message
    if getattr(original, "splits_questions", False):
        return

    @wraps(original)
    async def handle_message(self, message: UserMessage) -> Optional[List[Dict[str, Any]]]:
        text = message.text or ""
        parts = [] if text.startswith("/") else separate_questions(text)
        if parts:
            parts = await _parts_worth_answering(self, message, parts)
        if not parts:
            return await original(self, message)
        output = _OncePerMessage(message.output_channel)
        for index, part in enumerate(parts):
            metadata = dict(message.metadata) if isinstance(message.metadata, dict) else {}
            metadata["part_of_message"] = {"index": index, "of": len(parts)}
            message_id = f"{message.message_id}-{index}" if message.message_id else None
            await original(
                self, UserMessage(part, output, message.sender_id, None, message.input_channel, message_id, metadata)
            )
        return output.messages if isinstance(message.output_channel, CollectingOutputChannel) else None

    handle_message.splits_questions = True
    Agent.handle_message = handle_message


def install() -> None:
    _install_context()
    _install_two_questions()
