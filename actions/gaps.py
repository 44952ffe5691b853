"""Questions about what the page does not say (薪资, 证书, 直播带货 …): an honest answer
that the page does not cover it, what it does say nearby as a button, and the contacts."""
from __future__ import annotations

from actions import answers, comparisons
from actions.replies import Reply
from assistant.kb import KnowledgeBase


def gap_reply(kb: KnowledgeBase, message: dict, slots: dict) -> Reply | None:
    entities = message.get("entities") or []
    gaps = [k for k in (kb.gap_key(e.get("value")) for e in entities if e.get("entity") == "gap") if k]
    if not gaps:
        return None
    subjects = list(dict.fromkeys(k for k in (kb.subject_key(e.get("value")) for e in entities
                                              if e.get("entity") == "subject") if k))
    names = "和".join(kb.subjects[s]["name"] for s in subjects[:2])
    gap_name = kb.gaps[gaps[0]]["name"]
    what = f"{names}的「{gap_name}」" if names else f"「{gap_name}」"
    text = kb.say("gap", what=what)
    buttons = []
    if subjects:
        plan = comparisons.resolve(kb, "ask_difference", [e for e in entities if e.get("entity") == "subject"], slots)
        if plan.kind == "comparison" and plan.comparison:
            buttons.append(answers.comparison_button(kb, plan.comparison))
            text += "\n" + kb.say("gap_nearby", title=kb.comparisons[plan.comparison]["title"])
    return Reply(text, buttons + [answers.contact_button(kb)])
