"""Questions about the page's comparisons: a whole comparison, one dimension,
one side, or a follow-up resolved from the conversation's slots."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any

from rasa_sdk.events import SlotSet

from actions import answers
from actions.replies import Reply
from assistant.kb import KnowledgeBase
from assistant.phrasebook import say


@dataclass(frozen=True)
class Plan:
    kind: str  # overview | comparison | side | not_compared | which | dimension_missing
    comparison: str | None = None
    dimension: str | None = None
    subject: str | None = None
    options: tuple[str, ...] = ()
    pair: tuple[str, ...] = ()
    term: str | None = None  # a word the page never names, compared with a role (市场和销售)


def _entities(tracker_entities: list[dict], name: str) -> list[str]:
    return [str(e.get("value")) for e in tracker_entities if e.get("entity") == name and e.get("value")]


def resolve(kb: KnowledgeBase, intent: str, entities: list[dict], slots: dict) -> Plan:
    """Decides what the visitor asks about from the entities, falling back on the slots."""
    subjects = list(dict.fromkeys(k for k in map(kb.subject_key, _entities(entities, "subject")) if k))
    dims = list(dict.fromkeys(k for k in map(kb.dimension_key, _entities(entities, "dimension")) if k))
    # 从定位到干的活再到要啥能力: three dimensions named are the whole comparison; of two, the
    # later is asked (先不说干啥活，就定位上)
    dim = None if len(dims) >= 3 else dims[-1] if dims else None
    named = next(iter(_entities(entities, "comparison")), None)
    current = slots.get("comparison") if slots.get("comparison") in kb.comparisons else None

    unpaged = next(iter(_entities(entities, "unpaged")), None)
    if unpaged and len(subjects) == 1:
        return Plan("not_compared", pair=(subjects[0],), term=unpaged)
    if named == "overview":
        return Plan("overview")
    if named in kb.comparisons:
        if subjects and intent == "ask_role":  # (推广那个要啥能力 about 淘宝运营和推广专员: 推广专员)
            return _side(kb, named, _side_in_context(kb, subjects[0], named), dim)
        return _dimension_or_whole(kb, named, dim)

    if len(subjects) >= 2:
        # the most specific pair first: 先上运营还是先上推广，淘宝运营和推广专员的区别 is about the latter
        generic = set(kb.overview["subjects"])
        for pair in sorted(combinations(subjects, 2), key=lambda p: len(set(p) & generic)):
            key = kb.comparison_for(set(pair))
            owners = kb.comparisons_with_dimension(dim) if dim else []
            if key == "overview" and len(owners) == 1:
                # 推广和运营，哪个对外更多: the title's roles, asked about what one comparison has
                return _dimension_or_whole(kb, owners[0], dim)
            if key == "overview":
                return Plan("overview")
            if key:
                return _dimension_or_whole(kb, key, dim)
        stand_in = kb.stand_in_comparison(subjects)
        if stand_in:
            return _dimension_or_whole(kb, stand_in, dim)
        return Plan("not_compared", pair=tuple(subjects[:2]))

    if len(subjects) == 1:
        subject = _side_in_context(kb, subjects[0], current)
        candidates = kb.comparisons_with(subject)
        if not candidates:  # e.g. 市场推广 on its own: the title question
            return Plan("overview")
        key = current if current in candidates else (candidates[0] if len(candidates) == 1 else None)
        if key is None and intent == "ask_difference" and dim is None and subject in kb.overview["subjects"]:
            return Plan("overview")  # 运营的区别是啥: the page's own title question, all its pairs in brief
        if key is None:
            return Plan("which", subject=subject, dimension=dim, options=tuple(candidates))
        if intent == "ask_difference" and dim is None:
            return Plan("comparison", comparison=key)
        if dim is None and key == current and intent != "ask_difference":  # 那淘宝运营呢? keeps the dimension
            dim = slots.get("dimension")
        return _side(kb, key, subject, dim)

    # No subject: a follow-up on the current comparison, or a dimension that only one comparison has.
    if dim:
        if current and dim in kb.comparisons[current]["dimensions"]:
            if slots.get("subject") in kb.comparisons[current]["subjects"]:
                return _side(kb, current, slots["subject"], dim)
            return Plan("comparison", comparison=current, dimension=dim)
        owners = kb.comparisons_with_dimension(dim)
        # (偏向是到啥程度，还是只是侧重点不一样 after 运营和市场: words of two other comparisons' dimensions
        # point at neither; the comparison discussed stays, and says what it has)
        scattered = current and len({tuple(kb.comparisons_with_dimension(d)) for d in dims}) > 1
        if len(owners) == 1 and (current or kb.dimensions[dim].get("says_which_comparison")) and not scattered:
            return Plan("comparison", comparison=owners[0], dimension=dim)
        if current:
            return Plan("dimension_missing", comparison=current, dimension=dim)
        return Plan("which", dimension=dim, options=tuple(owners))
    if current:
        return Plan("comparison", comparison=current)
    # nothing named and nothing discussed yet: the page's own title question, all four in brief
    return Plan("overview")


def _side_in_context(kb: KnowledgeBase, subject: str, current: str | None) -> str:
    """A generic role (推广, 运营) means the matching side of the comparison being discussed:
    推广 while talking about 网络推广 vs 运营 is 网络推广."""
    if not current or subject in kb.comparisons[current]["subjects"]:
        return subject
    names = [kb.subjects[subject]["name"]] + kb.subjects[subject]["aliases"]
    return next(
        (
            side
            for side in kb.comparisons[current]["subjects"]
            if any(name in kb.subjects[side]["name"] for name in names)
        ),
        subject,
    )


def _dimension_or_whole(kb: KnowledgeBase, key: str, dim: str | None) -> Plan:
    if dim and dim not in kb.comparisons[key]["dimensions"]:
        return Plan("dimension_missing", comparison=key, dimension=dim)
    return Plan("comparison", comparison=key, dimension=dim)


def _side(kb: KnowledgeBase, key: str, subject: str, dim: str | None) -> Plan:
    if dim and dim not in kb.comparisons[key]["dimensions"]:
        return Plan("dimension_missing", comparison=key, dimension=dim)
    return Plan("side", comparison=key, subject=subject, dimension=dim)


def render(kb: KnowledgeBase, plan: Plan) -> Reply:
    if plan.kind == "overview":
        return answers.overview_answer(kb)
    if plan.kind == "comparison":
        if plan.dimension:
            return answers.dimension_answer(kb, plan.comparison, plan.dimension)
        return answers.comparison_answer(kb, plan.comparison)
    if plan.kind == "side":
        reply = answers.side_answer(kb, plan.comparison, plan.subject, plan.dimension)
        if reply:
            return reply
        text = say(
            "side_missing",
            comparison=kb.comparisons[plan.comparison]["title"],
            subject=kb.subjects[plan.subject]["name"],
            dimension=kb.dimensions[plan.dimension]["name"],
        )
        return Reply(text, answers.dimension_buttons(kb, plan.comparison) + [answers.contact_button(kb)], answer=True)
    if plan.kind == "not_compared":
        first = kb.subjects[plan.pair[0]]["name"]
        second = plan.term if plan.term else kb.subjects[plan.pair[1]]["name"]
        related = [k for k in kb.comparisons if set(plan.pair) & set(kb.comparisons[k]["subjects"])]
        related = related or list(kb.comparisons)
        lines = [say("not_compared", first=first, second=second)]
        lines += [answers.format_line("bullet", text=kb.comparisons[k]["title"]) for k in related]
        return Reply(
            "\n".join(lines),
            answers.finish_buttons(kb, [answers.comparison_button(kb, k) for k in related]),
            answer=True,
        )
    if plan.kind == "dimension_missing":
        comp = kb.comparisons[plan.comparison]
        text = say("dimension_missing", comparison=comp["title"], dimension=kb.dimensions[plan.dimension]["name"])
        text += "\n" + "\n".join(answers.format_line("bullet", text=e["label"]) for e in comp["dimensions"].values())
        if comp.get("summary"):  # the page's one-line gist, which may be what was meant (动动嘴皮子 / 落到数上)
            text += "\n" + comp["summary"]
        return Reply(text, answers.finish_buttons(kb, answers.dimension_buttons(kb, plan.comparison)), answer=True)
    # which: the question fits several comparisons
    if plan.dimension:
        text = say("ask_dimension_of", dimension=kb.dimensions[plan.dimension]["name"])
        buttons = [
            answers.button(kb.comparisons[k]["title"], "ask_difference", comparison=k, dimension=plan.dimension)
            for k in plan.options
        ]
    else:
        text = say("which_comparison")
        buttons = [answers.comparison_button(kb, k) for k in plan.options]
    return Reply(text, buttons + [answers.contact_button(kb)], answer=True)


def pair_for(kb: KnowledgeBase, comparison: str, entities: list[dict] | None = None) -> list[str]:
    """The comparison's two roles in the order the visitor named them (for 前者 / 后者)."""
    own = kb.comparisons[comparison]["subjects"]
    named = [k for k in dict.fromkeys(map(kb.subject_key, _entities(entities or [], "subject"))) if k in own]
    return named if len(named) == 2 else list(own)


def plan_slots(plan: Plan, kb: KnowledgeBase | None = None, entities: list[dict] | None = None) -> list[dict[str, Any]]:
    """Remember what was answered so that the next elliptical question resolves."""
    if plan.kind in ("comparison", "side", "dimension_missing"):
        events = [
            SlotSet("comparison", plan.comparison),
            SlotSet("dimension", plan.dimension),
            SlotSet("subject", plan.subject if plan.kind == "side" else None),
            SlotSet("fact", None),
        ]
        if kb is not None:
            events.append(SlotSet("pair", pair_for(kb, plan.comparison, entities)))
        return events
    if plan.kind == "overview":
        # the title's two roles are the pair just compared (它俩 / 回到刚才那个问题 after the overview)
        return [
            SlotSet("comparison", None),
            SlotSet("dimension", None),
            SlotSet("subject", None),
            SlotSet("fact", None),
            SlotSet("pair", list(kb.overview["subjects"]) if kb is not None else None),
        ]
    return []
