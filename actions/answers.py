"""Renders knowledge-base entries as short chat answers with follow-up buttons."""
from __future__ import annotations

import json

from actions.replies import Button, Reply
from assistant.kb import KnowledgeBase

MAX_BUTTONS = 5


def payload(intent: str, **entities: str) -> str:
    return f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")


def button(title: str, intent: str, **entities: str) -> Button:
    return {"title": title, "payload": payload(intent, **entities)}


def contact_button(kb: KnowledgeBase) -> Button:
    return button(kb.dialogue["buttons"]["contact"], "request_human")


def comparison_button(kb: KnowledgeBase, key: str) -> Button:
    if key == "overview":
        return button(kb.dialogue["buttons"]["overview"], "ask_difference", comparison="overview")
    return button(kb.comparisons[key]["title"], "ask_difference", comparison=key)


def topic_buttons(kb: KnowledgeBase) -> list[Button]:
    return [comparison_button(kb, key) for key in kb.comparisons] + [contact_button(kb)]


def fact_button(kb: KnowledgeBase, key: str) -> Button:
    if key in kb.comparisons:
        return comparison_button(kb, key)
    fact = kb.facts[key]
    return button(fact["title"], fact["intent"])


def _finish(kb: KnowledgeBase, buttons: list[Button]) -> list[Button]:
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
    return [_side_line(kb, s, entry[s]) for s in comp["subjects"] if s in entry]


def _side_line(kb: KnowledgeBase, subject: str, text: str) -> str:
    # Most quotes already begin with the side's name; do not say it twice.
    name = _name(kb, subject)
    return f"- {text}" if text.startswith(name) else f"- {name}：{text}"


def dimension_buttons(kb: KnowledgeBase, key: str, skip: str | None = None) -> list[Button]:
    comp = kb.comparisons[key]
    return [button(entry["label"], "ask_difference", comparison=key, dimension=dim)
            for dim, entry in comp["dimensions"].items() if dim != skip]


def comparison_answer(kb: KnowledgeBase, key: str) -> Reply:
    comp = kb.comparisons[key]
    lines = [f"**{comp['title']}**"]
    if comp.get("summary"):
        lines.append(comp["summary"])
    for dim, entry in comp["dimensions"].items():
        lines.append(f"**{entry['label']}**")
        lines += _dimension_lines(kb, comp, dim)
    related = [fact_button(kb, f) for f in comp.get("related_facts", [])]
    return Reply("\n".join(lines), _finish(kb, related + dimension_buttons(kb, key)))


def dimension_answer(kb: KnowledgeBase, key: str, dim: str) -> Reply:
    comp = kb.comparisons[key]
    entry = comp["dimensions"][dim]
    lines = [f"**{comp['title']}：{entry['label']}**"] + _dimension_lines(kb, comp, dim)
    if comp.get("summary"):  # the page's one-line gist frames every detail
        lines.append(comp["summary"])
    sides = [button(kb.dialogue["buttons"]["side"].format(subject=_name(kb, s), dimension=kb.dimensions[dim]["name"]),
                    "ask_role", comparison=key, subject=s, dimension=dim)
             for s in comp["subjects"] if s in entry]
    return Reply("\n".join(lines), _finish(kb, dimension_buttons(kb, key, skip=dim) + sides[:1]))


def side_answer(kb: KnowledgeBase, key: str, subject: str, dim: str | None) -> Reply | None:
    """What one side of a comparison is said to be; None when the page says nothing of it."""
    comp = kb.comparisons[key]
    dims = [dim] if dim else list(comp["dimensions"])
    lines = []
    for d in dims:
        entry = comp["dimensions"][d]
        text = entry.get(subject) or entry.get("both")
        if text:
            lines.append(f"**{_name(kb, subject)}·{entry['label']}**" if not dim else
                         f"**{_name(kb, subject)}的{kb.dimensions[d]['name']}**")
            lines.append(text)
    if not lines:
        return None
    others = [s for s in comp["subjects"] if s != subject]
    contrast = comp["dimensions"][dim].get(others[0]) if dim else None
    if contrast:  # the page's point is the comparison: the other side follows, labelled as such
        lines.append(kb.say("side_contrast", other=_name(kb, others[0])) + contrast)
    buttons = []
    if dim:
        buttons.append(button(kb.dialogue["buttons"]["side"].format(
            subject=_name(kb, others[0]), dimension=kb.dimensions[dim]["name"]),
            "ask_role", comparison=key, subject=others[0], dimension=dim))
        buttons.append(button(comp["dimensions"][dim]["label"], "ask_difference", comparison=key, dimension=dim))
    buttons.append(comparison_button(kb, key))
    return Reply("\n".join(lines), _finish(kb, buttons))


def overview_answer(kb: KnowledgeBase) -> Reply:
    ov = kb.overview
    lines = [f"**{ov['title']}**", kb.say("overview_intro")]
    for line in ov["lines"]:
        title = kb.comparisons[line["comparison"]]["title"]
        detail = line.get("text") or f"{line['label']}：" + "、".join(line["items"])
        lines.append(f"- {title}：{detail}")
    lines.append(f"**{ov['relation']['label']}**：{ov['relation']['text']}")
    lines.append(kb.say("overview_more"))
    return Reply("\n".join(lines), topic_buttons(kb))


def fact_answer(kb: KnowledgeBase, key: str) -> Reply:
    fact = kb.facts[key]
    lines = [f"**{fact['title']}**"]
    if fact.get("steps"):
        lines.append(fact["text"])
        lines += [f"{i}. {s['label']}：{s['text']}" for i, s in enumerate(fact["steps"], 1)]
    else:
        for item in fact.get("items", []):
            lines.append(f"- {item['label']}：{item['text']}" if item.get("label") else f"- {item['text']}")
        if fact.get("text"):
            lines.append(fact["text"])
    return Reply("\n".join(lines), _finish(kb, [fact_button(kb, r) for r in fact.get("related", [])]))


def topics_list(kb: KnowledgeBase) -> str:
    """One line per comparison, with the single facts that belong to it."""
    lines = []
    for key, comp in kb.comparisons.items():
        facts = [kb.facts[f]["title"] for f in comp.get("related_facts", []) if f in kb.facts][:3]
        lines.append(f"- {comp['title']}" + (f"（{'、'.join(facts)}）" if facts else ""))
    return "\n".join(lines)
