"""What happens to one visitor message, on every channel, top to bottom.

Every channel's blueprint hands its messages to a `Turns` object instead of Rasa's own
`on_new_message` (rasa.core.channels.channel.register), so a turn is ordinary code:

1. the text is cleaned (assistant.text.clean_input) and the sender put in the channel's
   namespace (channels.namespaces);
2. a message over MAX_MESSAGE_CHARS, or one sent faster than a person types
   (channels.visitor_rate), gets one polite line in the visitor's script and goes no further;
3. under the conversation's lock, the conversation is read once; its pair of roles, side
   and fact go into the message's metadata (`context`), which the clause reader uses for
   前者 / 它俩 / 另一个 (assistant.clauses);
4. a message that only fixes the visitor's last one (就业* / 说反了，……) is that message, fixed
   (channels.typo_fix), and one that picks one of the questions the visitor's last message listed
   (先回答第3个) is that question (channels.queued); while the visitor asked the assistant to wait (先别回，等我打完), a message is
   kept with one short line until the go-ahead, which is answered as all of them together
   (channels.hold); a message with two questions is split (assistant.clauses.separate_questions); each part
   is parsed once and handled as its own turn with that parse, in the order asked; small
   talk or a part nobody understood beside a real question is not answered separately;
5. every bot message reaches the visitor's channel once;
6. a turn the stores could not serve, or that ended without a message, gets the apology
   with the contacts; the apology turn is kept in the store's journal and published.

While a person has taken the conversation over (channels/takeover.py: Rasa's ConversationPaused),
the message is only logged, unsplit, by Rasa (which predicts nothing for a paused tracker) and the
agent reads it in the console; the assistant stays silent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from rasa.core.channels.channel import OutputChannel, UserMessage
from sqlalchemy.exc import SQLAlchemyError

from assistant import house_names, metrics
from assistant.clauses import compared_pair_named, own_role, separate_questions, subject_mentions
from assistant.cues import asks_for_person
from assistant.kb import load_kb
from assistant.phrasebook import say
from assistant.text import clean_input, in_script, script_of
from assistant.wording import glossary, normalize
from channels import fragments, hold, queued, typo_fix
from channels.limits import MAX_MESSAGE_CHARS, too_long
from channels.visitor_rate import VisitorRate
from conversation_store.errors import STORE_ERRORS, primary_store
from takeover import queue

logger = logging.getLogger(__name__)
# Intents that are not worth a reply of their own beside a real question.
SMALL_TALK = {"greet", "thank", "affirm", "goodbye"}
NOT_UNDERSTOOD = {"nlu_fallback", "out_of_scope", "inform", None}
MAX_PARTS = 3
# A turn's reply is one to three messages (more reads as a dump, and chat widgets scroll it away).
MAX_MESSAGES = 3


def conversation_context(tracker) -> Dict[str, Any]:
    """What the clause reader needs of the conversation so far: the last answer's roles, else the pair the
    page compares that the visitor's last message named (我从运营跳到市场部了 → 这两个部门差在哪)."""
    slots = tracker.current_slot_values() if tracker is not None else {}
    pair = slots.get("pair") or []
    comparison = load_kb().comparisons.get(slots.get("comparison") or "")
    if not pair and comparison:  # a dimension of a comparison answered: its two roles
        pair = list(comparison["subjects"])
    if not pair and tracker is not None:
        said = _visitor_texts(tracker)[-1:]
        pair = list(compared_pair_named(said[0]) or []) if said else []
    # 我们要成立个市场部 / 不，还是叫运营部吧 / …这俩部门: the pair the visitor's last messages named, when
    # the last answer's roles are not among them
    recent = "，".join(_visitor_texts(tracker)[-PAIR_WITHIN:]) if tracker is not None else ""
    named = compared_pair_named(recent) if recent else None
    if named and set(named) != set(pair) and not set(pair) <= {k for _, _, k in subject_mentions(normalize(recent))}:
        pair = list(named)
    # 我是做新媒体推广的 … 那我这个有啥特点: the role the visitor said is theirs, the latest said
    own = _own_role(_visitor_texts(tracker)) if tracker is not None else None
    return {
        "pair": pair,
        "subject": slots.get("subject"),
        "fact": slots.get("fact"),
        "own": own,
        "dimension": slots.get("dimension"),
    }


class OncePerMessage(OutputChannel):
    """Collects a turn's bot messages and sends them to the visitor's channel at its end: each
    distinct message once, and at most MAX_MESSAGES of them (a message of text alone is joined
    to the next one when the parts of a long question said more). Rasa sends every bot message
    through send_response."""

    def __init__(self, inner: OutputChannel):
        self.inner = inner
        self.messages = getattr(inner, "messages", [])
        self._seen: set = set()
        self._pending: List[Tuple[str, Dict[str, Any]]] = []

    @property
    def sent(self) -> int:
        return len(self._pending)

    def name(self) -> str:
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        # Rasa stamps each bot message with the time it was uttered: the same message twice differs only there
        message = {k: v for k, v in message.items() if k != "timestamp"}
        key = json.dumps(message, sort_keys=True, ensure_ascii=False, default=str)
        if key in self._seen:
            return
        self._seen.add(key)
        self._pending.append((recipient_id, message))

    async def flush(self) -> None:
        """Sends what the turn said (once; later calls send nothing more)."""
        pending, self._pending = _joined(self._pending), []
        for recipient_id, message in pending:
            await self.inner.send_response(recipient_id, message)

    # Whatever way a message is sent, it passes send_response (and Rasa's dispatch in the inner
    # channel's send_response picks the inner method again).
    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: List, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "buttons": buttons})

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: List, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text, "quick_replies": quick_replies})

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"custom": json_message})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"image": image})

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"attachment": attachment})

    async def send_elements(self, recipient_id: str, elements: Iterable[Dict[str, Any]], **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"elements": list(elements)})

    def __getattr__(self, item):
        return getattr(self.inner, item)


def _text_only(message: Dict[str, Any]) -> bool:
    return bool(message.get("text")) and not any(v for k, v in message.items() if k not in ("text", "recipient_id"))


def _joined(messages: List[Tuple[str, Dict[str, Any]]]) -> List[Tuple[str, Dict[str, Any]]]:
    """At most MAX_MESSAGES: a text-only message is put in front of the next message's text."""
    out = list(messages)
    i = 0
    while len(out) > MAX_MESSAGES and i < len(out) - 1:
        (rid, first), (_, second) = out[i], out[i + 1]
        if _text_only(first) and second.get("text"):
            out[i : i + 2] = [(rid, {**second, "text": first["text"] + "\n\n" + second["text"]})]
        else:
            i += 1
    return out


class Turns:
    """The `on_new_message` of one channel. `agent_of` returns the Rasa agent (set by
    `attach` when the server starts); `namespace` prefixes the channel's sender ids."""

    def __init__(
        self,
        namespace: str = "",
        rate: Optional[VisitorRate] = None,
        agent_of: Optional[Callable[[], Any]] = None,
    ):
        self.namespace = namespace
        self.rate = rate if rate is not None else VisitorRate.from_settings()
        self._agent_of = agent_of

    def attach(self, blueprint) -> None:
        """The agent is Rasa's app.ctx.agent (what Rasa's own on_new_message calls), loaded when
        the server starts."""

        @blueprint.listener("before_server_start")
        async def remember_app(app, _loop) -> None:
            self._agent_of = lambda: app.ctx.agent

    def use(self, agent) -> None:
        """Another agent, e.g. harness.scripted_agent when a channel is tested on its own."""
        self._agent_of = lambda: agent

    async def __call__(self, message: UserMessage) -> None:
        started = time.perf_counter()
        message.text = clean_input(message.text) if isinstance(message.text, str) else ""
        if self.namespace and not str(message.sender_id).startswith(self.namespace):
            message.sender_id = self.namespace + str(message.sender_id)
        if too_long(message.text):
            logger.info("message of %d characters from %s refused as too long", len(message.text), message.sender_id)
            return await self._reply_instead(message, "too_long", limit=MAX_MESSAGE_CHARS)
        wait = self.rate.wait_for(message.sender_id) if self.rate.enabled else 0.0
        if wait is None:
            logger.info("message from %s refused: sending faster than a person types", message.sender_id)
            metrics.record_rate_limited(message.input_channel or "unknown")
            return await self._reply_instead(message, "too_fast")
        if wait:
            await asyncio.sleep(wait)
        output = OncePerMessage(message.output_channel)
        intent = None
        try:
            intent = await self._understood_turn(message, output)
        except STORE_ERRORS as error:
            logger.error("store unavailable for %s, sending the apology: %r", message.sender_id, error)
            await self._apologise(message, output, keep=True)
        except Exception as error:  # a fault of ours in the turn: the visitor still gets an answer, never silence
            logger.error(
                "the turn of %s failed, sending the apology: %r (cause %r)", message.sender_id, error, error.__cause__
            )
            await self._apologise(message, output, keep=False)
        else:
            if not output.sent and not getattr(output, "paused", False):
                logger.error("the turn of %s ended without a message, sending the apology", message.sender_id)
                await self._apologise(message, output, keep=False)
        finally:
            await output.flush()
        metrics.record_turn(message.input_channel or "unknown", time.perf_counter() - started, intent)

    async def _understood_turn(self, message: UserMessage, output: OncePerMessage) -> Optional[str]:
        """Steps 3-5 under the conversation's lock; returns the first part's intent."""
        agent = self._agent_of() if self._agent_of else None
        if agent is None or not agent.is_ready():
            logger.warning("no model loaded yet: %s gets the apology", message.sender_id)
            return None
        async with agent.lock_store.lock(message.sender_id):
            # The primary store: Rasa's FailSafeTrackerStore would answer an error with an empty
            # conversation, and the turn would run without its context.
            tracker = await primary_store(agent.tracker_store).retrieve(message.sender_id)
            metadata = dict(message.metadata) if isinstance(message.metadata, dict) else {}
            if tracker is not None and tracker.is_paused():
                await self._to_agent(agent, message, output, metadata)
                return None
            metadata["context"] = conversation_context(tracker)
            parts = await self._parts(agent, message, metadata, tracker)
            for index, (text, parse_data) in enumerate(parts):
                part_metadata = (
                    metadata
                    if len(parts) == 1
                    else {**metadata, "part_of_message": {"index": index, "of": len(parts), "message": message.text}}
                )
                message_id = (
                    f"{message.message_id}-{index}" if message.message_id and len(parts) > 1 else message.message_id
                )
                await agent.processor.handle_message(
                    UserMessage(
                        text,
                        output,
                        message.sender_id,
                        parse_data=parse_data,
                        input_channel=message.input_channel,
                        message_id=message_id,
                        metadata=part_metadata,
                    )
                )
        return (parts[0][1].get("intent") or {}).get("name") if parts else None

    async def _to_agent(self, agent, message: UserMessage, output: OncePerMessage, metadata: dict) -> None:
        """A message to the person who took over: kept in the conversation, no answer."""
        output.paused = True
        await agent.processor.handle_message(
            UserMessage(
                message.text,
                output,
                message.sender_id,
                input_channel=message.input_channel,
                message_id=message.message_id,
                metadata=metadata,
            )
        )
        try:
            await asyncio.to_thread(queue.visitor_said, message.sender_id)
        except SQLAlchemyError as error:  # only the idle timer misses it
            logger.error("takeover: could not note %s's message: %r", message.sender_id, error)

    async def _parts(self, agent, message: UserMessage, metadata: dict, tracker) -> List[Tuple[str, dict]]:
        """(text, parse) of each question to answer (see `_read_parts`), read in the page's names of
        the roles where the visitor said theirs (增长中心=运营), kept in the visitor's own words."""
        text = message.text
        if not text.startswith("/") and not (tracker is not None and tracker.active_loop_name):
            text = house_names.in_page_terms(text, house_names.declared(_visitor_texts(tracker) + [text]))
        parts = await self._read_parts(agent, message, metadata, tracker, text)
        return [(message.text if part == text else part, parse) for part, parse in parts]

    async def _read_parts(
        self, agent, message: UserMessage, metadata: dict, tracker, text: str
    ) -> List[Tuple[str, dict]]:
        """(text, parse) of each question to answer: the parts of a two-question message that
        are worth an answer of their own, else the whole message. Each text is parsed once."""

        async def parse(text: str) -> dict:
            return await agent.processor.parse_message(
                UserMessage(text, sender_id=message.sender_id, metadata=metadata), tracker
            )

        # Inside the callback form a message is an answer, never two questions.
        split = not text.startswith("/") and not (tracker is not None and tracker.active_loop_name)
        earlier = hold.held(tracker) if split else None
        if earlier is not None and hold.goes_ahead(text):
            text = hold.together(earlier, text)  # 好了，说吧: what was said while held is the question
        elif earlier is not None or (split and hold.asks_to_wait(text)):
            return [(text, hold.parse(text))]  # 先别回，等我打完: kept, one short line, nothing answered yet
        last = _visitor_texts(tracker)[-1:] if split else []
        fix = typo_fix.fixed(last[0], text) if last else None
        if fix:  # 就业*  输入法坑我: the last message, fixed, is the question
            whole = await parse(fix)
            if fragments.completes(whole, NOT_UNDERSTOOD):
                return [(text, whole)]
        listing = _last_message(tracker) if split else None
        pick = queued.picked(listing, text) if listing else None
        if pick:  # 先回答第3个 after 1.…2.…3.…: that question of the visitor's
            whole = await parse(pick)
            if fragments.completes(whole, NOT_UNDERSTOOD):
                return _with_a_person(pick, [(text, whole)])
        parts = separate_questions(text) if split else []
        kept = []
        for part in parts:
            parsed = await parse(part)
            if _worth_answering(part, parsed):
                kept.append((part, parsed))
        if kept:
            # Two understood questions are answered in turn; with one, only that one (the other
            # was small talk or not understood, and would only add a 您是不是想问 to the answer).
            return _with_a_person(text, kept)[:MAX_PARTS]
        completed = fragments.completed_role(tracker, text) if split else None
        if completed:  # 推广有什么作用 / 网络: 网络推广有什么作用 (before a button that holds 网络)
            whole = await parse(completed)
            if fragments.completes(whole, NOT_UNDERSTOOD):
                return [(text, whole)]
        payload = fragments.button_named(tracker, text) if split else None
        if payload:  # 淘宝 after 您想了解哪一组: the button it names
            return [(text, await parse(payload))]
        alone = await parse(text)
        pieces = fragments.earlier_pieces(tracker, NOT_UNDERSTOOD, text, alone) if split else []
        if pieces:
            joined = await parse("".join(pieces + [text]))
            if fragments.better(joined, alone, NOT_UNDERSTOOD):
                return [(text, joined)]
        return _with_a_person(text, [(text, alone)]) if split else [(text, alone)]

    async def _reply_instead(self, message: UserMessage, key: str, **values) -> None:
        """One line of kb/dialogue.yml, in the visitor's script, instead of the turn."""
        await message.output_channel.send_text_message(
            message.sender_id, in_script(say(key, **values), script_of(message.text))
        )

    async def _apologise(self, message: UserMessage, output: OncePerMessage, keep: bool) -> None:
        if output.sent:  # the answer was sent; only the final save failed
            return
        apology = in_script(say("degraded"), script_of(message.text))
        await output.send_text_message(message.sender_id, apology)
        agent = self._agent_of() if self._agent_of else None
        store = primary_store(agent.tracker_store) if agent is not None else None
        keep_failed_turn = getattr(store, "keep_failed_turn", None)
        if keep and keep_failed_turn is not None:
            await keep_failed_turn(message.sender_id, message.text, apology)


PERSON_INTENTS = {"request_human", "request_callback"}
PAGE_INTENTS = {"ask_difference", "ask_dimension", "ask_role"}


def _with_a_person(text: str, parts: List[Tuple[str, dict]]) -> List[Tuple[str, dict]]:
    """A page question and a request for a person in one message (……的区别我也想问，不过还是找真人细聊
    吧，电话多少): the answer, then the contacts, even where the request was not a question of its own.
    A request for a person in a message not otherwise understood is that request."""
    intents = [(parse.get("intent") or {}).get("name") for _, parse in parts]
    if any(i in PERSON_INTENTS for i in intents) or not asks_for_person(normalize(text)):
        return parts
    person = {"text": text, "intent": {"name": "request_human", "confidence": 1.0}, "entities": []}
    if all(i in NOT_UNDERSTOOD for i in intents):
        return [(text, person)]
    if not any(i not in NOT_UNDERSTOOD | SMALL_TALK for i in intents):
        return parts  # 你们电话是175开头的吧？后面忘了: nothing else understood, the person is asked for
    return parts[: MAX_PARTS - 1] + [(text, person)]


# A part that asks nothing of the page must be understood plainly to be answered on its own
# (具体在哪些方面起作用，你倒是讲讲 read as "are you a bot" at 0.39 is not).
PART_UNDERSTOOD_AT = 0.6


HOUSE_NAMES_WITHIN = 20  # the visitor's messages searched for their own names of the roles


PAIR_WITHIN = 3  # the visitor's last messages whose roles can make the pair being talked about
OWN_ROLE_WITHIN = 8  # the visitor's messages searched for the role they said is theirs


def _own_role(texts: List[str]) -> Optional[str]:
    # every own_role cue holds one of these characters: a cheap test before reading a message
    marks = glossary()["own_role_marks"]
    recent = [t for t in texts[-OWN_ROLE_WITHIN:] if any(mark in t for mark in marks)]
    return next(filter(None, (own_role(normalize(t)) for t in reversed(recent))), None)


def _last_message(tracker) -> Optional[str]:
    """The visitor's last message whole, as typed (a message of two questions is kept as two parts)."""
    events = [e for e in getattr(tracker, "events", None) or [] if getattr(e, "type_name", "") == "user"]
    if not events:
        return None
    part = ((getattr(events[-1], "metadata", None) or {}).get("part_of_message")) or {}
    return str(part.get("message") or events[-1].text or "")


def _visitor_texts(tracker) -> List[str]:
    events = [e for e in getattr(tracker, "events", None) or [] if getattr(e, "type_name", "") == "user"]
    return [str(e.text or "") for e in events[-HOUSE_NAMES_WITHIN:] if not str(e.text or "").startswith("/")]


def _worth_answering(part: str, parsed: dict) -> bool:
    intent = (parsed.get("intent") or {}).get("name")
    confidence = (parsed.get("intent") or {}).get("confidence") or 0
    gap = any(e.get("entity") == "gap" for e in parsed.get("entities") or [])
    # A part asking for a fact must say something of it: 哪个更该先招？ after a comparison is
    # the same question going on, not one about job prospects.
    kb = load_kb()
    fact = kb.fact_for_intent(intent or "")
    read = str((parsed.get("reading") or {}).get("focus") or part)
    if fact and not gap and not kb.fact_supported(fact, read):
        return False
    if not fact and intent not in PAGE_INTENTS and confidence < PART_UNDERSTOOD_AT:
        return False
    return intent not in SMALL_TALK and (gap or intent not in NOT_UNDERSTOOD)
