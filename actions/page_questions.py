"""The two actions that answer the page's questions: a comparison (or one side or dimension of it)
and a single fact. What they answer is worked out in actions.comparisons and actions.facts."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import comparisons, facts, follow_up, gaps
from actions.chitchat import ActionClarify
from actions.replies import send, understood
from assistant.kb import load_kb


class ActionAnswerComparison(Action):
    def name(self) -> str:
        return "action_answer_comparison"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, intent: str | None = None
    ) -> list[dict[str, Any]]:
        kb = load_kb()
        message = tracker.latest_message or {}
        intent = intent or (message.get("intent") or {}).get("name") or ""
        entities = message.get("entities") or []
        gap = gaps.gap_reply(kb, message, tracker.current_slot_values())
        if gap:
            return send(dispatcher, tracker, [gap]) + understood()
        plan = comparisons.resolve(kb, intent, entities, tracker.current_slot_values())
        return (
            send(dispatcher, tracker, [comparisons.render(kb, plan), *gaps.setting_line(kb, message)])
            + comparisons.plan_slots(plan, kb, entities)
            + understood()
        )


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
        intent = facts.supported_intent(kb, message)
        if intent is None:  # unsure and nothing of the fact in the question: ask instead of guessing
            return await ActionClarify().run(dispatcher, tracker, domain)
        reason = follow_up.reason_in_last_answer(
            kb, message.get("text") or "", tracker.current_slot_values(), kb.fact_for_intent(intent)
        )
        if reason is not None:
            return send(dispatcher, tracker, [reason]) + understood()
        reply, events = facts.page_reply(kb, intent, message, tracker.current_slot_values())
        return send(dispatcher, tracker, [reply, *gaps.setting_line(kb, message)]) + events + understood()
