"""A message that only fixes the visitor's last one (网络推广和运营哪个更好救业 / 就业*  输入法坑我):
the last message, fixed, is the question.

- a word with an asterisk, or before a complaint about typing (输入法 / 打错了), replaces the word of
  the last message that sounds the same or differs by one character (救业 → 就业, 刑事 → 形式);
- 我想打的是电商运营 replaces the role of the last message most like it (淘宝运营 → 电商运营);
- 说反了，我想问的是哪个更大: the corrected question, asked of the roles the last message named.
The cues are in kb/glossary.yml (`typo_fix`).
"""

from __future__ import annotations

import re
from typing import Optional

from assistant.clauses import corrected, join_names, subject_mentions
from assistant.kb import load_kb
from assistant.text import syllables
from assistant.wording import glossary, normalize

_CHINESE_RUN = re.compile(r"[\u4e00-\u9fff]+")
_STARRED = re.compile(r"\*\s*([\u4e00-\u9fffA-Za-z]{1,8})|([\u4e00-\u9fffA-Za-z]{1,8})\s*\*")
MAX_FIX = 30  # a fix is short; a longer message is a question of its own


def fixed(previous: str, text: str) -> Optional[str]:
    """The last message with this one's fix applied, or None when this is no fix of it."""
    if not previous or len(text) > MAX_FIX:
        return None
    cues = glossary()["typo_fix"]
    said = normalize(text)
    starred = _STARRED.search(text)
    if not starred and not any(cue in said for cue in cues["typing"] + cues["meant"] + cues["reversed"]):
        return None
    before = normalize(previous)
    if any(cue in said for cue in cues["reversed"]):
        return _asked_of_the_roles_before(before, said)
    meant = re.search("(?:" + "|".join(map(re.escape, cues["meant"])) + r")\s*([\u4e00-\u9fff]{2,8})", said)
    if meant and load_kb().subject_key(meant.group(1)):
        return _role_replaced(before, meant.group(1))
    word = normalize(
        (starred.group(1) or starred.group(2)) if starred else (meant.group(1) if meant else _first_run(said)) or ""
    )
    return _word_replaced(before, word) or (_role_replaced(before, word) if load_kb().subject_key(word) else None)


def _first_run(text: str) -> Optional[str]:
    found = _CHINESE_RUN.search(text)
    return found.group() if found else None


def _word_replaced(before: str, word: str) -> Optional[str]:
    """救业 → 就业: the window of the last message that sounds like the word, or differs by one character."""
    if len(word) < 2 or word in before:
        return None
    sound = syllables(word)
    for start in range(len(before) - len(word) + 1):
        window = before[start : start + len(word)]
        same_sound = syllables(window) == sound
        one_off = sum(a != b for a, b in zip(window, word)) == 1 and len(word) >= 3
        if same_sound or one_off:
            return before[:start] + word + before[start + len(word) :]
    return None


def _role_replaced(before: str, role: str) -> Optional[str]:
    """淘宝运营 → 电商运营: the role named before that shares most characters with the one meant."""
    mentions = [(s, e) for s, e, _ in subject_mentions(before) if before[s:e] != role]
    if not mentions:
        return None
    s, e = max(mentions, key=lambda m: len(set(before[m[0] : m[1]]) & set(role)))
    return before[:s] + role + before[e:]


def _asked_of_the_roles_before(before: str, said: str) -> Optional[str]:
    """说反了，我想问的是哪个更大: the corrected question, of the roles named before when it names none."""
    start = corrected(said)
    rest = said[start:] if start is not None else None
    if not rest:
        return None
    if subject_mentions(rest):
        return rest
    keys = list(dict.fromkeys(k for _, _, k in subject_mentions(before)))[:2]
    return f"{join_names(keys)}，{rest}" if keys else None
