"""Single facts of the page (市场部的定义, 无形价值, 购买决策流程, ...)."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import comparisons
from actions.answers import fact_answer
from actions.replies import send, understood
from assistant.kb import load_kb


class ActionAnswerFact(Action):
    def name(self) -> str:
        return "action_answer_fact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = load_kb()
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name") or ""
        key = kb.fact_for_intent(intent)
        if key is None:  # only reachable through a misconfigured rule
            raise ValueError(f"no fact answers intent {intent!r}")
        other = _other_subject(kb, key, (tracker.latest_message or {}).get("entities") or [])
        if other:  # e.g. 淘宝运营是做什么的: a question about another role, same shape
            return await comparisons.ActionAnswerComparison().run(dispatcher, tracker, domain, intent="ask_role")
        section = kb.facts[key]["section"]
        events = [SlotSet("comparison", section), SlotSet("dimension", None), SlotSet("subject", None)] \
            if section in kb.comparisons else []
        return send(dispatcher, tracker, [fact_answer(kb, key)]) + events + understood()


def _other_subject(kb, key: str, entities: list[dict]) -> str | None:
    """A role named in the message that is not the one the fact is about."""
    own = kb.facts[key].get("subject")
    if not own:
        return None
    named = [kb.subject_key(e.get("value")) for e in entities if e.get("entity") == "subject"]
    return next((s for s in named if s and s != own), None)
