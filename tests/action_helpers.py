"""Tracker fixtures for running custom actions without a Rasa server."""

from __future__ import annotations

import asyncio
from functools import lru_cache

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from assistant.clauses import read
from assistant.kb import ROOT_DIR, default_corrector, load_kb
from assistant.text import script_of
from assistant.wording import normalize_mapped

KB = load_kb()


@lru_cache(maxsize=1)
def _spacy_pipeline():
    """The spaCy pipeline the NLU loads (built by components/nlp_assets.py)."""
    import jieba
    import spacy

    jieba.load_userdict(str(ROOT_DIR / "build" / "jieba_dict" / "userdict.txt"))
    return spacy.load(ROOT_DIR / "build" / "spacy_zh")


def entities_in(text: str) -> list[dict]:
    """What the NLU's EntityRuler tags in the visitor's text (offsets on the text as typed)."""
    focus = read(normalize_mapped(text, default_corrector())).focus
    doc = _spacy_pipeline()(focus.text)
    found = []
    for e in doc.ents:
        start, end = focus.original_span(e.start_char, e.end_char)
        found.append({"entity": e.label_, "value": e.text, "start": start, "end": end})
    return found


def tracker(
    text: str,
    intent: str,
    slots: dict | None = None,
    entities: list[dict] | None = None,
    ranking: list[dict] | None = None,
    channel: str = "rest",
) -> Tracker:
    message = {
        "text": text,
        "intent": {"name": intent, "confidence": 0.9},
        "entities": entities_in(text) if entities is None else entities,
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        "script": script_of(text),
    }
    events = [{"event": "user", "text": text, "parse_data": message, "input_channel": channel}]
    return Tracker("visitor", slots or {}, message, events, False, None, {}, "action_listen")


def run(action, trk: Tracker):
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, trk, {}))
    return dispatcher.messages, events


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def titles(messages: list[dict]) -> list[str]:
    return [b["title"] for m in messages for b in m.get("buttons") or []]


def slots_set(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
