"""One question typed as several short messages (市场部说的 / 无形价值 / 到底指啥), and short
replies to what the assistant just offered.

- A message the NLU does not understand on its own, or one that follows messages it did not
  understand, is read together with the visitor's messages just before it: the turn parses the
  joined text and keeps that reading when it is understood (channels/turn.py).
- A short reply that names one of the buttons the assistant just offered (淘宝 after 您想了解哪一组)
  is that button.
- A short reply that makes a role of the page out of a word of the question before it (推广有什么
  作用 / 网络 → 网络推广有什么作用) completes that question.
"""

from __future__ import annotations

import time
from typing import List, Optional

from assistant.clauses import is_question
from assistant.kb import load_kb
from assistant.wording import normalize

# Pieces of one question follow each other quickly; a message after a pause starts anew.
WITHIN_SECONDS = 90
MAX_EARLIER = 2  # messages before this one that can belong to it
SHORT = 16  # a message this short that is not understood may be the end of a question
UNDERSTOOD_AT = 0.5
# components/cue_words.py: a message acting on the last answer is whole on its own
ACTS_ON_LAST_ANSWER = {"points_into_last_answer", "asks_again"}


def _intent(parse: Optional[dict]) -> Optional[str]:
    return ((parse or {}).get("intent") or {}).get("name")


def earlier_pieces(tracker, not_understood: set, text: str, parse: dict, now: Optional[float] = None) -> List[str]:
    """The visitor's messages just before this one that it may complete (oldest first), or []."""
    if tracker is None or str(text).startswith("/"):
        return []
    if parse.get("cue_word") in ACTS_ON_LAST_ANSWER:
        return []  # ok 下一条呢 / 第三点呢: about the last answer, not the end of the message before
    now = time.time() if now is None else now
    users = [e for e in getattr(tracker, "events", []) if getattr(e, "type_name", "") == "user"]
    recent = []
    for event in reversed(users[-MAX_EARLIER:]):
        if now - float(getattr(event, "timestamp", 0) or 0) > WITHIN_SECONDS or str(event.text or "").startswith("/"):
            break
        recent.insert(0, event)
        now = float(event.timestamp)
    if not recent:
        return []
    alone_unclear = _intent(parse) in not_understood and len(text) <= SHORT
    after_unclear = _intent(recent[-1].parse_data) in not_understood
    if not (alone_unclear or after_unclear):
        return []
    if after_unclear and not alone_unclear:
        # only the unclear pieces right before: an answered question is not part of this one
        while recent and _intent(recent[0].parse_data) not in not_understood:
            recent.pop(0)
    else:
        # a whole question understood before (无形价值是什么意思) is not the start of this one
        while recent and _intent(recent[0].parse_data) not in not_understood and is_question(str(recent[0].text)):
            recent.pop(0)
    return [str(e.text) for e in recent]


def better(joined: dict, alone: dict, not_understood: set) -> bool:
    """Whether the reading of the joined pieces should replace this message's own."""
    intent = joined.get("intent") or {}
    if intent.get("name") in not_understood or (intent.get("confidence") or 0) < UNDERSTOOD_AT:
        return False
    own = alone.get("intent") or {}
    if own.get("name") not in not_understood and _gaps(joined) - _gaps(alone):
        return False  # 心理咨询师前景咋样 / 行吧，换个你熟的……: the declined question stays declined, not this one
    return own.get("name") in not_understood or (own.get("confidence") or 0) < intent.get("confidence", 0)


def _gaps(parse: dict) -> set:
    return {e.get("value") for e in parse.get("entities") or [] if e.get("entity") == "gap"}


SHORT_REPLY = 6  # characters: a reply this short may name a button or complete a role


def completes(whole: dict, not_understood: set) -> bool:
    """Whether a completed question (推广有什么作用 / 网络) is read as such: a short reply that makes a
    role out of the question before means that question, whatever it would mean alone (新媒体)."""
    intent = whole.get("intent") or {}
    return intent.get("name") not in not_understood and (intent.get("confidence") or 0) >= UNDERSTOOD_AT


def _bare(text: str) -> str:
    return normalize(str(text)).strip(" ，。！？,.!?~～")


def button_named(tracker, text: str) -> Optional[str]:
    """The payload of the one button of the assistant's last message whose title holds the reply."""
    reply = _bare(text)
    if not reply or len(reply) > SHORT_REPLY or tracker is None or str(text).startswith("/"):
        return None
    events = list(getattr(tracker, "events", []))
    last_bot = next((e for e in reversed(events) if getattr(e, "type_name", "") == "bot"), None)
    buttons = ((getattr(last_bot, "data", None) or {}).get("buttons") or []) if last_bot else []
    named = [b.get("payload") for b in buttons if b.get("payload") and reply in _bare(b.get("title") or "")]
    return named[0] if len(named) == 1 else None


def completed_role(tracker, text: str, now: Optional[float] = None) -> Optional[str]:
    """The visitor's last message with a word of it completed into a role of the page by this reply
    (推广 + 网络 = 网络推广), when they wrote it just before; else None."""
    reply = _bare(text)
    if not reply or len(reply) > SHORT_REPLY or tracker is None:
        return None
    now = time.time() if now is None else now
    users = [e for e in getattr(tracker, "events", []) if getattr(e, "type_name", "") == "user"]
    if not users or now - float(getattr(users[-1], "timestamp", 0) or 0) > WITHIN_SECONDS:
        return None
    before = normalize(str(users[-1].text or ""))
    kb = load_kb()
    names = sorted({n for s in kb.subjects.values() for n in [s["name"], *s["aliases"]]}, key=len)
    for word in sorted({n for n in names if len(n) >= 2 and n in before}, key=len, reverse=True):
        if normalize(reply + word) in names or (reply + word) in names:
            return before.replace(word, reply + word, 1)
    return None
