"""Greetings, thanks, goodbyes, "are you a bot", "what can you do", and the
replies for what the assistant does not understand or does not cover."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers, comparisons, follow_up, gaps, popular
from actions.callback import offer_reply
from actions.replies import Reply, misunderstood, send, typed, understood
from assistant import metrics
from assistant.cues import closing_small_talk, person_if_unanswered
from assistant.kb import KnowledgeBase, load_kb
from assistant.phrasebook import say
from assistant.wording import glossary, normalize
from channels import hold

COMPARISON_INTENTS = {"ask_difference", "ask_role", "ask_dimension"}
HANDOFF_INTENTS = {"request_human", "ask_price"}


def chitchat_reply(kb: KnowledgeBase, intent: str) -> Reply:
    if intent == "greet":
        guesses = [answers.fact_button(kb, key) for key in popular.most_asked(kb)] + [answers.contact_button(kb)]
        return Reply("\n".join([say("greet"), answers.topics_list(kb), say("guess_you_ask")]), guesses)
    if intent == "ask_capabilities":
        text = "\n".join([say("capabilities"), answers.topics_list(kb), say("topics_footer")])
        return Reply(text, answers.topic_buttons(kb))
    if intent == "bot_challenge":
        return Reply(say("bot_challenge"), answers.topic_buttons(kb))
    return Reply(
        say(
            {
                "thank": "thanks",
                "goodbye": "goodbye",
                "deny": "deny",
                "affirm": "affirm",
                "correct_lead": "correct_lead",
            }[intent]
        )
    )


class ActionChitchat(Action):
    def name(self) -> str:
        return "action_chitchat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or "greet"
        if intent == hold.HOLD_INTENT:  # 先别回，等我打完 (the first) / a message while held (the rest)
            asked = hold.asks_to_wait(typed(tracker))
            return send(dispatcher, tracker, [Reply(say("hold_on" if asked else "hold_more"))]) + understood()
        if intent == "correct_lead":  # 懂了懂了，对上号了，多谢啊 (no callback under way): the thanks it closes with
            intent = closing_small_talk(normalize(typed(tracker))) or intent
        events = send(dispatcher, tracker, [chitchat_reply(load_kb(), intent)]) + understood()
        if intent == "deny" and tracker.get_slot("lead_contact"):  # a contact offered, then no callback wanted
            events.append(SlotSet("lead_contact", None))
        return events


def _failure_replies(kb: KnowledgeBase, tracker: Tracker, first: Reply) -> tuple[list[Reply], list]:
    if (tracker.active_loop or {}).get("name"):
        return [first], []  # inside the callback form, which asks its question again right after
    count, events = misunderstood(tracker)
    replies = [first]
    if count >= 2:
        replies += [Reply(say("repeated_failure")), offer_reply()]
    return replies, events


def _for_our_staff(text: str) -> bool:
    read = normalize(text)
    return any(cue in read for cue in glossary()["for_our_staff"])


class ActionDecline(Action):
    """Out of scope: say so, never answer with page content, offer topics and customer service."""

    def name(self) -> str:
        return "action_decline"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = load_kb()
        gap = gaps.gap_reply(kb, tracker.latest_message or {}, tracker.current_slot_values())
        if gap:
            return send(dispatcher, tracker, [gap]) + understood()
        stepped = follow_up.step(kb, (tracker.latest_message or {}).get("text") or "", tracker.current_slot_values())
        if stepped:  # 下一条 / 再往下那段 after an answer: the next part of the page
            return send(dispatcher, tracker, [stepped[0]]) + stepped[1] + understood()
        act = follow_up.reply(kb, (tracker.latest_message or {}).get("text") or "", tracker.current_slot_values())
        if act:  # 一共几个阶段 / 第三点 after an answer: an act on that answer
            return send(dispatcher, tracker, [act]) + understood()
        entities = (tracker.latest_message or {}).get("entities") or []
        services = [e.get("value") for e in entities if e.get("entity") == "service"]
        if services:  # a request about a service the agency sells is never declined: its staff answer it
            text = say("price", service=services[0])
            return send(dispatcher, tracker, [Reply(text), offer_reply()]) + understood()
        said = (tracker.latest_message or {}).get("text") or ""
        if _for_our_staff(said) or person_if_unanswered(normalize(typed(tracker))):
            # (……哪家排第一？你不知道的话就让人工回我: the person they asked for should we not know)
            # a client's invoice, contract or the person handling their project: our staff, never declined
            return send(dispatcher, tracker, [Reply(say("handoff")), offer_reply()]) + understood()
        if tracker.get_slot("comparison") and any(e.get("entity") == "dimension" for e in entities):
            plan = _plan_from_entities(kb, tracker)  # 各自干的活儿呢 right after a comparison: a follow-up
            if plan:
                return (
                    send(dispatcher, tracker, [comparisons.render(kb, plan)])
                    + comparisons.plan_slots(plan, kb, entities)
                    + understood()
                )
        metrics.record_decline()
        text = "\n".join([say("decline"), answers.topics_list(kb), say("decline_footer")])
        replies, events = _failure_replies(kb, tracker, Reply(text, answers.topic_buttons(kb)))
        return send(dispatcher, tracker, replies) + events


def suggestions(kb: KnowledgeBase, ranking: list[dict], entities: list[dict], current: str | None) -> list[dict]:
    """Buttons for the two or three likeliest topics of an unclear message."""
    subjects = [k for k in (kb.subject_key(e.get("value")) for e in entities if e.get("entity") == "subject") if k]
    buttons = []
    for item in ranking:
        intent = item.get("name")
        fact = kb.fact_for_intent(intent or "")
        if fact:
            buttons.append(answers.fact_button(kb, fact))
        elif intent in COMPARISON_INTENTS:
            keys = [k for s in subjects for k in kb.comparisons_with(s)] or ([current] if current else ["overview"])
            buttons += [answers.comparison_button(kb, k) for k in keys]
        elif intent in HANDOFF_INTENTS:
            buttons.append(answers.contact_button(kb))
    unique = list({b["payload"]: b for b in buttons}.values())
    return unique[:3]


def _plan_from_entities(kb: KnowledgeBase, tracker: Tracker):
    """A comparison, dimension or side that the message's entities settle on their own
    (哪个范围更大 while discussing 电商运营 vs 新媒体推广), else None."""
    message = tracker.latest_message or {}
    entities = message.get("entities") or []
    named = {e.get("entity") for e in entities}
    if "dimension" not in named and sum(e.get("entity") == "subject" for e in entities) < 2:
        return None
    if _says_more_than(message.get("text") or "", entities):
        return None  # 那淘宝主图尺寸要求是多少: a question of its own that happens to hold 要求
    plan = comparisons.resolve(kb, "ask_dimension", entities, tracker.current_slot_values())
    settled = plan.kind == "side" or (plan.kind == "comparison" and (plan.dimension or "dimension" not in named))
    return plan if settled else None


_HAN = re.compile(r"[\u4e00-\u9fff]")
# Content words a follow-up may say beside the roles and dimension it names (各自干的活儿呢: 儿).
FOLLOW_UP_OWN_WORDS = 4


def _says_more_than(text: str, entities: list) -> bool:
    """Whether the message says more than its entities and the small words around them."""
    rest = list(text)
    for e in entities:
        start, end = int(e.get("start") or 0), int(e.get("end") or 0)
        rest[start:end] = [""] * (end - start)
    small = set(glossary()["small_words"])
    content = [ch for ch in _HAN.findall(normalize("".join(rest))) if ch not in small]
    return len(content) > FOLLOW_UP_OWN_WORDS


class ActionClarify(Action):
    """Low confidence: 您是不是想问 with the likeliest topics as buttons."""

    def name(self) -> str:
        return "action_clarify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = load_kb()
        message = tracker.latest_message or {}
        gap = gaps.gap_reply(kb, message, tracker.current_slot_values())
        if gap:
            return send(dispatcher, tracker, [gap]) + understood()
        stepped = follow_up.step(kb, message.get("text") or "", tracker.current_slot_values())
        if stepped:  # 下一条 / 再往下那段 after an answer: the next part of the page
            return send(dispatcher, tracker, [stepped[0]]) + stepped[1] + understood()
        act = follow_up.reply(kb, message.get("text") or "", tracker.current_slot_values())
        if act:  # 第三点能再讲细点吗 / 有没有具体例子 after an answer: an act on that answer
            return send(dispatcher, tracker, [act]) + understood()
        services = [e.get("value") for e in message.get("entities") or [] if e.get("entity") == "service"]
        if services:  # unclear, but about a service the agency sells: that is a question for its staff
            text = say("price", service=services[0])
            return send(dispatcher, tracker, [Reply(text), offer_reply()]) + understood()
        plan = _plan_from_entities(kb, tracker)
        if plan:  # the classifier is unsure, but the named roles or dimension leave no doubt
            return (
                send(dispatcher, tracker, [comparisons.render(kb, plan)])
                + comparisons.plan_slots(plan, kb, message.get("entities"))
                + understood()
            )
        # The page index's best sections first (components.page_index), then the classifier's.
        options = [answers.section_button(kb, key) for key in message.get("page_candidates") or []]
        options += suggestions(
            kb, message.get("intent_ranking") or [], message.get("entities") or [], tracker.get_slot("comparison")
        )
        options = list({b["payload"]: b for b in options}.values())[:3]
        metrics.record_clarification()
        if options:
            first = Reply(
                say("clarify"),
                options
                + ([answers.contact_button(kb)] if all(b["payload"] != "/request_human" for b in options) else []),
            )
        else:
            first = Reply(say("clarify_none"), answers.topic_buttons(kb))
        replies, events = _failure_replies(kb, tracker, first)
        return send(dispatcher, tracker, replies) + events
