"""Single facts of the page (市场部的定义, 无形价值, 购买决策流程, ...), and one entry point
for any page question (used where a question arrives inside the callback form)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import comparisons, gaps
from actions.answers import fact_answer
from actions.replies import Reply, send, understood
from assistant.kb import KnowledgeBase, load_kb

COMPARISON_INTENTS = ("ask_difference", "ask_role", "ask_dimension")


def fact_reply(kb: KnowledgeBase, key: str) -> tuple[Reply, list[dict[str, Any]]]:
    section = kb.facts[key]["section"]
    events = [SlotSet("comparison", section), SlotSet("dimension", None), SlotSet("subject", None),
              SlotSet("pair", comparisons.pair_for(kb, section))] if section in kb.comparisons else []
    return fact_answer(kb, key), events + [SlotSet("fact", key)]


def page_reply(kb: KnowledgeBase, intent: str, message: dict, slots: dict) -> tuple[Reply, list] | None:
    """The answer to a question about the page, or None when the intent is not one."""
    entities = message.get("entities") or []
    key = kb.fact_for_intent(intent)
    if key is not None and not _other_subject(kb, key, entities):
        return fact_reply(kb, key)
    if key is not None or intent in COMPARISON_INTENTS:
        # e.g. 淘宝运营是做什么的: a question about another role, same shape as 运营是做什么的
        plan = comparisons.resolve(kb, "ask_role" if key else intent, entities, slots)
        return comparisons.render(kb, plan), comparisons.plan_slots(plan, kb, entities)
    return None


class ActionAnswerFact(Action):
    def name(self) -> str:
        return "action_answer_fact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = load_kb()
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        if kb.fact_for_intent(intent) is None:  # only reachable through a misconfigured rule
            raise ValueError(f"no fact answers intent {intent!r}")
        gap = gaps.gap_reply(kb, message, tracker.current_slot_values())
        if gap:
            return send(dispatcher, tracker, [gap]) + understood()
        reply, events = page_reply(kb, intent, message, tracker.current_slot_values())
        return send(dispatcher, tracker, [reply]) + events + understood()


def _other_subject(kb, key: str, entities: list[dict]) -> str | None:
    """A role named in the message that is not the one the fact is about."""
    own = kb.facts[key].get("subject")
    if not own:
        return None
    named = [kb.subject_key(e.get("value")) for e in entities if e.get("entity") == "subject"]
    return next((s for s in named if s and s != own), None)
