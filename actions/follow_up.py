"""Acts on the last answer, whatever its topic: its Nth point (第三点能再讲细点吗), how many points
it has (一共几个阶段), an example (有没有具体例子), more detail (展开说说), the reason (为什么).

The last answer's structure is the conversation's state: the `fact` slot (a fact with items or
steps) or the `comparison` and `dimension` slots (a comparison's dimensions). The cues are in
kb/glossary.yml (`follow_up_acts`). Used by the actions that would otherwise ask or decline
(actions/chitchat.py): a message that names a topic of its own is the classifier's business."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from actions import answers, comparisons
from actions.replies import Reply
from assistant.clauses import asks_yes_or_no
from assistant.cues import page_step, resends
from assistant.kb import KnowledgeBase
from assistant.phrasebook import load_phrasebook, say
from assistant.wording import glossary, normalize


def _ordinal() -> re.Pattern:
    """第三点 / 第2步, with the phrasebook's numerals and the glossary's units."""
    numerals = "|".join(load_phrasebook().numerals[1:11])
    units = "|".join(glossary()["point_units"])
    return re.compile(rf"{glossary()['point_prefix']}\s*({numerals}|[1-9])\s*(?:{units})?")


@dataclass(frozen=True)
class Point:
    label: str
    text: str


def act_of(text: str) -> Optional[tuple]:
    """(act, number) for a follow-up act in the text, else None."""
    read = normalize(text)
    if resends(read):  # 只显示了第一点，后面都没了，再发一遍: not the first point, all of it
        return "again", None
    found = _ordinal().search(read)
    if found:
        numerals = load_phrasebook().numerals
        word = found.group(1)
        return "point", numerals.index(word) if word in numerals else int(word)
    for act, cues in glossary()["follow_up_acts"].items():
        if any(cue in read for cue in cues):
            return act, None
    return None


def _points(kb: KnowledgeBase, slots: dict) -> Optional[tuple]:
    """(title, points, whole answer) of the last answer, or None."""
    fact = kb.facts.get(slots.get("fact") or "")
    if fact and (fact.get("items") or fact.get("steps")):
        listed = [Point(i.get("label", ""), i["text"]) for i in fact.get("steps") or fact.get("items")]
        return fact["title"], listed, answers.fact_answer(kb, slots["fact"])
    if fact:
        return fact["title"], [Point(fact["title"], fact.get("text") or "")], answers.fact_answer(kb, slots["fact"])
    key = slots.get("comparison")
    if key is None and set(slots.get("pair") or []) == set(kb.overview["subjects"]):  # the title question
        listed = [
            Point(kb.comparisons[line["comparison"]]["title"], line.get("text") or "") for line in kb.overview["lines"]
        ]
        return kb.overview["title"], listed, answers.overview_answer(kb)
    if key in kb.comparisons:
        comp = kb.comparisons[key]
        listed = [
            Point(entry["label"], " ".join(entry["sides"].values()) or entry.get("both") or "")
            for entry in comp["dimensions"].values()
        ]
        # the last answer itself: one dimension or one side when that is what was answered
        dim = slots.get("dimension") if slots.get("dimension") in comp["dimensions"] else None
        side = slots.get("subject") if slots.get("subject") in comp["subjects"] else None
        plan = (
            comparisons.Plan("side", comparison=key, subject=side, dimension=dim)
            if side
            else comparisons.Plan("comparison", comparison=key, dimension=dim)
        )
        return comp["title"], listed, comparisons.render(kb, plan)
    return None


def reply(kb: KnowledgeBase, text: str, slots: dict) -> Optional[Reply]:
    act = act_of(text)
    structure = _points(kb, slots) if act else None
    if structure is None:
        return None
    (kind, number), (title, listed, whole) = act, structure
    labels = answers.format_line("list_separator").join(p.label for p in listed)
    if kind == "point":
        if not 1 <= number <= len(listed):
            return Reply(say("follow_no_point", title=title, count=len(listed), number=number), whole.buttons)
        point = listed[number - 1]
        line = answers.format_line("labelled_bullet", label=point.label, text=point.text)
        return Reply("\n".join([answers.format_line("heading", text=title), line]), whole.buttons, answer=True)
    if kind == "count" and len(listed) > 1:  # a one-point answer (the ad forms in one sentence) is itself the list
        return Reply(say("follow_count", title=title, count=len(listed), labels=labels), whole.buttons, answer=True)
    if kind == "example":
        examples = [p for p in listed if any(mark in p.text for mark in glossary()["example_marks"])]
        if examples:
            lines = [answers.format_line("labelled_bullet", label=p.label, text=p.text) for p in examples]
            return Reply("\n".join([answers.format_line("heading", text=title), *lines]), whole.buttons, answer=True)
        return Reply(f"{say('follow_no_example', title=title)}\n{whole.text}", whole.buttons, answer=True)
    if kind == "why":
        return Reply(f"{say('follow_why')}\n{whole.text}", whole.buttons, answer=True)
    if kind == "advice":
        # after 网络推广和运营的区别, what the page says of choosing between them (各有各的优点……)
        choice = (kb.comparisons.get(slots.get("comparison") or "") or {}).get("choice")
        said = answers.fact_answer(kb, choice) if choice and not slots.get("fact") else whole
        return Reply(f"{say('follow_not_advice')}\n{said.text}", said.buttons, answer=True)
    return whole  # more: the whole answer, every point with its text


def step(kb: KnowledgeBase, text: str, slots: dict) -> Optional[tuple]:
    """(reply, slot events) for 下一条 / 再往下那段 / 上一条 after an answer, else None.

    With a section word (段 / 部分) the next comparison of the page in its order; otherwise the next
    dimension of the comparison answered (the one after the dimension just answered, the second
    after the whole comparison), past the last one the next comparison."""
    read = normalize(text)
    kind = page_step(read)
    order = [k for k in kb.comparisons if k != "overview"]
    fact = kb.facts.get(slots.get("fact") or "") or {}
    current = fact.get("comparison") if slots.get("fact") else slots.get("comparison")
    if kind is None or current not in order:
        return None
    move = 1 if kind == "next" else -1
    if not any(word in read for word in glossary()["page_steps"]["sections"]) and not slots.get("fact"):
        dims = list(kb.comparisons[current]["dimensions"])
        at = dims.index(slots["dimension"]) if slots.get("dimension") in dims else 0
        if 0 <= at + move < len(dims):
            plan = comparisons.Plan("comparison", comparison=current, dimension=dims[at + move])
            return comparisons.render(kb, plan), comparisons.plan_slots(plan, kb)
    at = order.index(current) + move
    if not 0 <= at < len(order):
        return Reply(
            say("step_past_end" if move > 0 else "step_before_start"), answers.comparison_answer(kb, current).buttons
        ), []
    plan = comparisons.Plan("comparison", comparison=order[at])
    return comparisons.render(kb, plan), comparisons.plan_slots(plan, kb)


def reason_in_last_answer(kb: KnowledgeBase, text: str, slots: dict, fact: str) -> Optional[Reply]:
    """……他们坚持说有价值，依据是啥 (or 这篇到底有没有价值) right after 零转化的文章还有价值吗: the
    classifier heard a related fact (无形价值) in words the last answer itself says (价值); the reason or
    verdict asked for is that answer's."""
    last = slots.get("fact")
    read = normalize(text)
    # the reason asked for (依据是啥), or the answer's own verdict checked (这篇到底有没有价值)
    judged = (act_of(text) or (None,))[0] == "why" or asks_yes_or_no(read)
    if not last or last == fact or last not in kb.facts or not judged:
        return None
    if fact not in (kb.facts[last].get("related") or []):
        return None
    said = [w for w in kb.facts[fact].get("evidence") or [] if w in read]
    if not said or any(w not in (kb.facts[last].get("text") or "") for w in said):
        return None
    whole = answers.fact_answer(kb, last)
    return Reply(f"{say('follow_reason_given')}\n{whole.text}", whole.buttons, answer=True)


def _pairs(text: str) -> set:
    return {text[i : i + 2] for i in range(len(text) - 1)}


def source_reply(kb: KnowledgeBase, slots: dict) -> Optional[Reply]:
    """出处 / 谁提出的 / 原话 right after an answer: where the page says that answer comes from,
    then the page's words again; None when the last answer has no source of its own."""
    structure = _points(kb, slots)
    sources = kb.facts.get("sources") or {}
    if structure is None or not sources.get("items"):
        return None
    title, _, whole = structure
    best = max(sources["items"], key=lambda item: len(_pairs(item["label"]) & _pairs(title)))
    if len(_pairs(best["label"]) & _pairs(title)) < MIN_SHARED_PAIRS:
        return None
    line = answers.format_line("labelled_bullet", label=best["label"], text=best["text"])
    heading = answers.format_line("heading", text=sources["title"])
    return Reply("\n".join([heading, line, say("follow_source"), whole.text]), whole.buttons, answer=True)


# A source item is the last answer's when their titles share this many character pairs.
MIN_SHARED_PAIRS = 3
