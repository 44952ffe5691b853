"""先别回，等我打完 … 好了，说吧: a visitor who asks the assistant to wait while they type a long
question over several messages.

- A message asking to wait (`hold.wait` in kb/glossary.yml) starts the hold;
- each message after it, while held, is kept in the conversation with the intent `hold_on` and
  gets one short line (actions/chitchat.py), nothing of the page;
- the go-ahead (`hold.go`: 好了说吧 / 说完了你回吧) ends the hold: the messages held, read together
  with what the go-ahead itself says, are the question (channels/turn.py reads them as one message).

A hold lasts HOLD_SECONDS from the last held message and at most MAX_HELD messages: a visitor who
forgot they asked to wait is answered again.
"""

from __future__ import annotations

import re
import time
from functools import cache
from typing import List, Optional, Tuple

from assistant.clauses import is_question, names_page
from assistant.wording import glossary, normalize

HOLD_INTENT = "hold_on"
HOLD_SECONDS = 600
MAX_HELD = 6
_CLAUSE = re.compile(r"[\s,，。.!！~～…、:：;；]+")


@cache
def _cues(kind: str) -> Tuple[str, ...]:
    return tuple(sorted(glossary()["hold"][kind], key=len, reverse=True))


def asks_to_wait(text: str) -> bool:
    """先别回 / 等我打完 / hold on: the visitor asks the assistant not to answer yet, and asks nothing
    of the page in the same message (这个先别回答，我更想搞清楚的是：什么叫无形价值 drops the last
    question for this one: it is answered)."""
    read, raw = normalize(text), str(text).lower()  # (normalizing drops the "on" of "hold on")
    if not any(cue in read or cue in raw for cue in _cues("wait")):
        return False
    rest = _without(text, "wait")
    return not (names_page(rest) and is_question(rest))


def goes_ahead(text: str) -> bool:
    """好了说吧 / 说完了你回吧 / 可以回了: the visitor has finished and wants the answer now."""
    read = normalize(text)
    return any(cue in read for cue in _cues("go"))


def _without(text: str, cue_kind: str) -> str:
    """The text without the wait or go cues, and without clauses that only talk about the typing
    (我要问的有点长 / 你先 / 好了)."""
    read = normalize(text)
    for cue in _cues(cue_kind):
        read = read.replace(cue, "，")
    scene = _cues("scene")
    kept = []
    for clause in _CLAUSE.split(read):
        rest = clause
        for word in scene:
            rest = rest.replace(word, "")
        if rest.strip():
            kept.append(clause.strip())
    return "，".join(kept)


def held(tracker, now: Optional[float] = None) -> Optional[List[str]]:
    """What the visitor said since they asked to wait (oldest first, the cues left out), when the
    conversation is held now; else None."""
    now = time.time() if now is None else now
    run = []  # the visitor's last messages, back to the first one not held (this runs on every turn)
    for event in reversed(list(getattr(tracker, "events", None) or [])):
        if getattr(event, "type_name", "") != "user":
            continue
        if ((getattr(event, "parse_data", None) or {}).get("intent") or {}).get("name") != HOLD_INTENT:
            break
        run.append(event)
    if not run or len(run) > MAX_HELD or now - (getattr(run[0], "timestamp", 0) or 0) > HOLD_SECONDS:
        return None
    run.reverse()
    if not asks_to_wait(str(run[0].text or "")):
        return None
    said = [_without(str(e.text or ""), "wait") for e in run]
    return [s for s in said if s]


def together(earlier: List[str], text: str) -> str:
    """The held messages and what the go-ahead adds (她就想知道哪个更好就业 说完了), as one message."""
    last = _without(text, "go")
    return "。".join(earlier + ([last] if last else []))


def parse(text: str) -> dict:
    """The parse of a message kept while held: no question of the page is read from it yet."""
    return {"text": text, "intent": {"name": HOLD_INTENT, "confidence": 1.0}, "entities": []}
