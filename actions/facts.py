"""Single facts of the page (市场部的定义, 无形价值, 购买决策流程, ...), and one entry point
for any page question (used where a question arrives inside the callback form)."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions import comparisons, follow_up
from actions.answers import fact_answer
from actions.replies import Reply
from assistant.kb import KnowledgeBase

COMPARISON_INTENTS = ("ask_difference", "ask_role", "ask_dimension")


def fact_reply(kb: KnowledgeBase, key: str) -> tuple[Reply, list[dict[str, Any]]]:
    comparison = kb.facts[key]["comparison"]
    events = (
        [
            SlotSet("comparison", comparison),
            SlotSet("dimension", None),
            SlotSet("subject", None),
            SlotSet("pair", comparisons.pair_for(kb, comparison)),
        ]
        if comparison in kb.comparisons
        else []
    )
    return fact_answer(kb, key), events + [SlotSet("fact", key)]


def page_reply(kb: KnowledgeBase, intent: str, message: dict, slots: dict) -> tuple[Reply, list] | None:
    """The answer to a question about the page, or None when the intent is not one."""
    entities = message.get("entities") or []
    key = kb.fact_for_intent(intent)
    if key == "sources" and not _names_the_page_part(entities):
        sourced = follow_up.source_reply(kb, slots)  # 这个定义是谁提出的: the last answer's source
        if sourced is not None:
            return sourced, []
    if key is not None and not _other_subject(kb, key, entities):
        return fact_reply(kb, key)
    if key is not None or intent in COMPARISON_INTENTS:
        # e.g. 淘宝运营是做什么的: a question about another role, same shape as 运营是做什么的
        plan = comparisons.resolve(kb, "ask_role" if key else intent, entities, slots)
        return comparisons.render(kb, plan), comparisons.plan_slots(plan, kb, entities)
    return None


def _names_the_page_part(entities: list[dict]) -> bool:
    """A question that names roles asks for their source, not the last answer's."""
    return any(e.get("entity") in ("subject", "comparison") for e in entities)


# Below this confidence a fact is answered only when the question holds one of its evidence words.
UNSURE_CONFIDENCE = 0.6


def _read_text(message: dict) -> str:
    """What the NLU read (normalised, the question part), else what was typed."""
    reading = message.get("reading") or {}
    return str(reading.get("focus") or message.get("text") or "")


def supported_intent(kb: KnowledgeBase, message: dict) -> str | None:
    """The classified fact intent if the question supports it; when the classifier is unsure and
    the question holds none of the fact's words, the next likely fact intent that it does
    support; None when there is none (the question is then treated as unclear)."""
    intent = message.get("intent") or {}
    text = _read_text(message)
    key = kb.fact_for_intent(intent.get("name") or "")
    if key is None or intent.get("confidence", 1.0) >= UNSURE_CONFIDENCE or kb.fact_supported(key, text):
        return intent.get("name")
    for other in (message.get("intent_ranking") or [])[1:4]:
        other_key = kb.fact_for_intent(other.get("name") or "")
        if (
            other_key
            and other.get("confidence", 0) >= 0.1
            and kb.facts[other_key].get("evidence")
            and kb.fact_supported(other_key, text)
        ):
            return other["name"]
    return None


def _other_subject(kb, key: str, entities: list[dict]) -> str | None:
    """A role named in the message that is not the one the fact is about."""
    own = kb.facts[key].get("subject")
    if not own:
        return None
    named = [k for k in (kb.subject_key(e.get("value")) for e in entities if e.get("entity") == "subject") if k]
    if named and named[-1] == own:
        return None  # 推广专员的定位是重在销售，那市场部的定位呢: the role asked about comes last
    if own in named:  # 网络推广的作用不只是网站推广吧: a title word (推广) beside the fact's own role
        named = [k for k in named if k not in kb.overview["subjects"]]
    return next((s for s in named if s != own), None)
