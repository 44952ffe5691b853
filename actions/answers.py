"""Renders knowledge-base entries as short chat answers with follow-up buttons."""

from __future__ import annotations

import json

from actions.replies import Button, Reply
from assistant.kb import KnowledgeBase
from assistant.phrasebook import load_phrasebook, say

MAX_BUTTONS = 5


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


def button(title: str, intent: str, **entities: str) -> Button:
    return {"title": title, "payload": payload(intent, **entities)}


def format_line(key: str, **values) -> str:
    """A line laid out by kb/dialogue.yml's `formats` (headings, bullets, joiners)."""
    return load_phrasebook().format(key, **values)


def contact_button(kb: KnowledgeBase) -> Button:
    return button(load_phrasebook().button("contact"), "request_human")


def comparison_button(kb: KnowledgeBase, key: str) -> Button:
    if key == "overview":
        return button(load_phrasebook().button("overview"), "ask_difference", comparison="overview")
    return button(kb.comparisons[key]["title"], "ask_difference", comparison=key)


def topic_buttons(kb: KnowledgeBase) -> list[Button]:
    """The page's comparisons, as many as fit beside the customer-service button."""
    return finish_buttons(kb, [comparison_button(kb, key) for key in kb.comparisons])


def fact_button(kb: KnowledgeBase, key: str) -> Button:
    if key in kb.comparisons:
        return comparison_button(kb, key)
    fact = kb.facts[key]
    return button(fact["title"], fact["intent"])


def section_button(kb: KnowledgeBase, key: str) -> Button:
    """A button for a section of the page index (assistant.page_index): a comparison, one
    dimension of it ("comparison.dimension"), or a fact."""
    comparison, _, dim = key.partition(".")
    if dim:
        entry = kb.comparisons[comparison]["dimensions"][dim]
        return button(
            f"{kb.comparisons[comparison]['title']}：{entry['label']}",
            "ask_difference",
            comparison=comparison,
            dimension=dim,
        )
    return fact_button(kb, key)


def finish_buttons(kb: KnowledgeBase, buttons: list[Button]) -> list[Button]:
    seen, unique = set(), []
    for b in buttons:
        if b["payload"] not in seen:
            seen.add(b["payload"])
            unique.append(b)
    return unique[: MAX_BUTTONS - 1] + [contact_button(kb)]


def _name(kb: KnowledgeBase, subject: str) -> str:
    return kb.subjects[subject]["name"]


def _dimension_lines(kb: KnowledgeBase, comp: dict, dim: str) -> list[str]:
    entry = comp["dimensions"][dim]
    if "both" in entry:
        return [entry["both"]]
    return [_side_line(kb, s, entry["sides"][s]) for s in comp["subjects"] if s in entry["sides"]]


def _side_line(kb: KnowledgeBase, subject: str, text: str) -> str:
    # Most quotes already begin with the side's name; do not say it twice.
    name = _name(kb, subject)
    return (
        format_line("bullet", text=text)
        if text.startswith(name)
        else format_line("labelled_bullet", label=name, text=text)
    )


def dimension_buttons(kb: KnowledgeBase, key: str, skip: str | None = None) -> list[Button]:
    comp = kb.comparisons[key]
    return [
        button(entry["label"], "ask_difference", comparison=key, dimension=dim)
        for dim, entry in comp["dimensions"].items()
        if dim != skip
    ]


def comparison_answer(kb: KnowledgeBase, key: str) -> Reply:
    comp = kb.comparisons[key]
    lines = [format_line("heading", text=comp["title"])]
    if comp.get("summary"):
        lines.append(comp["summary"])
    for dim, entry in comp["dimensions"].items():
        lines.append(format_line("heading", text=entry["label"]))
        lines += _dimension_lines(kb, comp, dim)
    related = [fact_button(kb, f) for f in comp.get("related_facts", [])]
    return Reply("\n".join(lines), finish_buttons(kb, related + dimension_buttons(kb, key)), answer=True)


def dimension_answer(kb: KnowledgeBase, key: str, dim: str) -> Reply:
    comp = kb.comparisons[key]
    entry = comp["dimensions"][dim]
    lines = [format_line("comparison_dimension_heading", title=comp["title"], label=entry["label"])]
    lines += _dimension_lines(kb, comp, dim)
    if comp.get("summary"):  # the page's one-line gist frames every detail
        lines.append(comp["summary"])
    sides = [
        button(
            load_phrasebook().button("side", subject=_name(kb, s), dimension=kb.dimensions[dim]["name"]),
            "ask_role",
            comparison=key,
            subject=s,
            dimension=dim,
        )
        for s in comp["subjects"]
        if s in entry["sides"]
    ]
    return Reply("\n".join(lines), finish_buttons(kb, dimension_buttons(kb, key, skip=dim) + sides[:1]), answer=True)


def side_answer(kb: KnowledgeBase, key: str, subject: str, dim: str | None) -> Reply | None:
    """What one side of a comparison is said to be; None when the page says nothing of it."""
    comp = kb.comparisons[key]
    dims = [dim] if dim else list(comp["dimensions"])
    lines = []
    for d in dims:
        entry = comp["dimensions"][d]
        text = entry["sides"].get(subject) or entry.get("both")
        if text:
            lines.append(
                format_line("side_label_heading", subject=_name(kb, subject), label=entry["label"])
                if not dim
                else format_line(
                    "side_dimension_heading", subject=_name(kb, subject), dimension=kb.dimensions[d]["name"]
                )
            )
            lines.append(text)
    if not lines:
        return None
    others = [s for s in comp["subjects"] if s != subject]
    contrast = comp["dimensions"][dim]["sides"].get(others[0]) if dim else None
    if contrast:  # the page's point is the comparison: the other side follows, labelled as such
        lines.append(say("side_contrast", other=_name(kb, others[0])) + contrast)
    buttons = []
    if dim:
        buttons.append(
            button(
                load_phrasebook().button("side", subject=_name(kb, others[0]), dimension=kb.dimensions[dim]["name"]),
                "ask_role",
                comparison=key,
                subject=others[0],
                dimension=dim,
            )
        )
        buttons.append(button(comp["dimensions"][dim]["label"], "ask_difference", comparison=key, dimension=dim))
    buttons.append(comparison_button(kb, key))
    return Reply("\n".join(lines), finish_buttons(kb, buttons), answer=True)


def overview_answer(kb: KnowledgeBase) -> Reply:
    ov = kb.overview
    phrases = load_phrasebook()
    lines = [format_line("heading", text=ov["title"]), say("overview_intro", count=phrases.numeral(len(ov["lines"])))]
    for line in ov["lines"]:
        title = kb.comparisons[line["comparison"]]["title"]
        detail = line.get("text") or format_line(
            "labelled", label=line["label"], text=format_line("list_separator").join(line["items"])
        )
        lines.append(format_line("labelled_bullet", label=title, text=detail))
    relation = ov["relation"]
    lines.append(format_line("labelled", label=format_line("heading", text=relation["label"]), text=relation["text"]))
    lines.append(say("overview_more"))
    return Reply("\n".join(lines), topic_buttons(kb), answer=True)


def fact_answer(kb: KnowledgeBase, key: str) -> Reply:
    fact = kb.facts[key]
    lines = [format_line("heading", text=fact["title"])]
    if fact.get("steps"):
        lines.append(fact["text"])
        lines += [
            format_line("step", number=i, label=s["label"], text=s["text"]) for i, s in enumerate(fact["steps"], 1)
        ]
    else:
        for item in fact.get("items", []):
            lines.append(
                format_line("labelled_bullet", label=item["label"], text=item["text"])
                if item.get("label")
                else format_line("bullet", text=item["text"])
            )
        if fact.get("text"):
            lines.append(fact["text"])
    return Reply(
        "\n".join(lines), finish_buttons(kb, [fact_button(kb, r) for r in fact.get("related", [])]), answer=True
    )


def topics_list(kb: KnowledgeBase) -> str:
    """One line per comparison, with the single facts that belong to it."""
    lines = []
    for comp in kb.comparisons.values():
        facts = [kb.facts[f]["title"] for f in comp.get("related_facts", [])][:3]
        lines.append(
            format_line("topic_with_facts", title=comp["title"], facts=format_line("list_separator").join(facts))
            if facts
            else format_line("topic", title=comp["title"])
        )
    return "\n".join(lines)
