"""A message that picks one of the questions the visitor's last message listed (1.…2.…3.… / a … b …
/ ……？……？), saying which to answer first (先回答第3个 / b先 / 先说区别，就业的后面再说): that question.

The cues are in kb/glossary.yml (`queued`). A message without one of them (第三点呢) is about the
assistant's last answer instead (actions/follow_up.py)."""

from __future__ import annotations

import re
from typing import List, Optional

from assistant.clauses import separate_questions
from assistant.phrasebook import load_phrasebook
from assistant.wording import glossary, normalize

MAX_PICK = 30  # a pick is short; a longer message is a question of its own
MIN_WORD = 2  # characters of a named item's word (先回答区别)


def _markers() -> re.Pattern:
    # 1. / 2、/ ③ / a) / b 运营…: an item's mark before its first Chinese character
    return re.compile(r"(?<![A-Za-z0-9])([1-9]|[a-fA-F]|[①-⑨])\s*[.、．)）:：]?\s*(?=[\u4e00-\u9fff])")


def _sequence(mark: str) -> int:
    if mark in "123456789":  # (not isdigit: ① is a digit to Python, not to int())
        return int(mark)
    if "①" <= mark <= "⑨":
        return ord(mark) - ord("①") + 1
    return ord(mark.lower()) - ord("a") + 1


def listed(text: str) -> List[str]:
    """The questions of a message in the order asked: its numbered or lettered items, else the
    questions it asks one after another, else the clauses it joins with 还有 / 另外."""
    found = list(_markers().finditer(text))
    # the marks must count 1, 2, 3 (or a, b, c): 2个 or a few letters of English are no list
    run = [m for i, m in enumerate(found) if _sequence(m.group(1)) == i + 1]
    if len(run) >= 2 and len(run) == len(found):
        bounds = [m.end() for m in run] + [len(text)]
        starts = [m.start() for m in run[1:]] + [len(text)]
        return [text[a:b].strip(" ，,。；;") for a, b in zip(bounds, starts)]
    parts = separate_questions(text)
    if len(parts) >= 2:
        return parts
    joiners = "|".join(map(re.escape, glossary()["queued"]["joiners"]))
    pieces = [p.strip(" ，,。；;") for p in re.split(rf"\s*(?:{joiners})\s*", text)]
    pieces = [p for p in pieces if len(p) >= MIN_WORD]
    return pieces if len(pieces) >= 2 else []


def picked(previous: str, text: str) -> Optional[str]:
    """The question of `previous` that `text` asks to be answered (first), or None."""
    said = normalize(text)
    cues = glossary()["queued"]
    if not previous or len(said) > MAX_PICK or not any(cue in said for cue in cues["first"]):
        return None
    items = listed(previous)  # as typed: the normaliser drops a lone "a " as an English article
    if not items:
        return None
    numerals = load_phrasebook().numerals
    units = "|".join(cues["units"])
    number = re.search(rf"{glossary()['point_prefix']}\s*([1-9]|{'|'.join(numerals[1:10])})\s*(?:{units})?", said)
    if number:
        word = number.group(1)
        at = numerals.index(word) if word in numerals else int(word)
        return items[at - 1] if 1 <= at <= len(items) else None
    circled = re.search(r"[①-⑨]", said)
    if circled:
        at = _sequence(circled.group())
        return items[at - 1] if 1 <= at <= len(items) else None
    letter = re.search(r"(?<![A-Za-z])([a-fA-F])(?![A-Za-z])", said)
    if letter and _markers().search(previous):
        at = _sequence(letter.group(1))
        return items[at - 1] if 1 <= at <= len(items) else None
    # 先回答区别，就业的后面再说: the one item holding the words said right after the cue
    first = min(said.find(cue) for cue in cues["first"] if cue in said)
    asked = re.split(r"[，,。；;！!？?\s]", said[first:])[0]
    named = [item for item in items if _shares_a_word(item, asked)]
    return named[0] if len(named) == 1 else None


def _shares_a_word(item: str, said: str) -> bool:
    for cue in glossary()["queued"]["first"]:
        said = said.replace(cue, " ")
    runs = [r for r in re.findall(r"[\u4e00-\u9fff]+", said) if len(r) >= MIN_WORD]
    return any(run[i : i + MIN_WORD] in item for run in runs for i in range(len(run) - MIN_WORD + 1))
