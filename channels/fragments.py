"""One question typed as several short messages (市场部说的 / 无形价值 / 到底指啥).

A message the NLU does not understand on its own, or one that follows messages it did not
understand, is read together with the visitor's messages just before it: the turn parses the
joined text and keeps that reading when it is understood (channels/turn.py).
"""

from __future__ import annotations

import time
from typing import List, Optional

from assistant.clauses import is_question

# Pieces of one question follow each other quickly; a message after a pause starts anew.
WITHIN_SECONDS = 90
MAX_EARLIER = 2  # messages before this one that can belong to it
SHORT = 16  # a message this short that is not understood may be the end of a question
UNDERSTOOD_AT = 0.5


def _intent(parse: Optional[dict]) -> Optional[str]:
    return ((parse or {}).get("intent") or {}).get("name")


def earlier_pieces(tracker, not_understood: set, text: str, parse: dict, now: Optional[float] = None) -> List[str]:
    """The visitor's messages just before this one that it may complete (oldest first), or []."""
    if tracker is None or str(text).startswith("/"):
        return []
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
    return own.get("name") in not_understood or (own.get("confidence") or 0) < intent.get("confidence", 0)
