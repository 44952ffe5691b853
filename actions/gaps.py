"""Questions about what the page does not say (薪资, 证书, 直播带货 …): an honest answer
that the page does not cover it, what it does say nearby as a button, and the contacts."""

from __future__ import annotations

from actions import answers, comparisons
from actions.replies import Reply
from assistant.kb import KnowledgeBase
from assistant.phrasebook import say


def gap_reply(kb: KnowledgeBase, message: dict, slots: dict) -> Reply | None:
    entities = message.get("entities") or []
    gaps = [k for k in (kb.gap_key(e.get("value")) for e in entities if e.get("entity") == "gap") if k]
    if not gaps:
        return None
    subjects = list(
        dict.fromkeys(
            k for k in (kb.subject_key(e.get("value")) for e in entities if e.get("entity") == "subject") if k
        )
    )
    names = answers.format_line("names_joiner").join(kb.subjects[s]["name"] for s in subjects[:2])
    gap_name = kb.gaps[gaps[0]]["name"]
    what = (
        answers.format_line("gap_of_subjects", subjects=names, gap=gap_name)
        if names
        else answers.format_line("gap_alone", gap=gap_name)
    )
    text = say("gap", what=what)
    buttons = []
    if subjects:
        plan = comparisons.resolve(kb, "ask_difference", [e for e in entities if e.get("entity") == "subject"], slots)
        if plan.kind == "comparison" and plan.comparison:
            buttons.append(answers.comparison_button(kb, plan.comparison))
            text += "\n" + say("gap_nearby", title=kb.comparisons[plan.comparison]["title"])
    return Reply(text, buttons + [answers.contact_button(kb)], answer=True)


def setting_line(kb: KnowledgeBase, message: dict) -> list[Reply]:
    """After the page's answer to a claim asked of a setting the page never discusses (放到直播带货团队里也
    一样吗): one line saying so, with the contacts; [] when there is none."""
    key = kb.gap_key(message.get("gap_setting") or "")
    if not key:
        return []
    return [Reply(say("gap_setting", what=answers.format_line("gap_alone", gap=kb.gaps[key]["name"])))]
