"""A message typed in pinyin, for want of a Chinese input method (taobao yunying he tuiguang
zhuanyuan you shenme qubie / Yùnyíng hé shìchǎng): the page's terms and the everyday words of a
question put back in characters, so that the rest of the pipeline reads it as Chinese.

Only a message whose Latin words are nearly all pinyin is read so (an English sentence is not:
`assistant.wording` turns its terms into the page's). The words put back are the terms given (the
knowledge base's: `assistant.kb.PageCorrector`, which `assistant.wording.normalize_mapped` runs) and
the glossary's `pinyin_words`, matched on their toneless syllables, longest first; a syllable of
neither is left as typed."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Dict, Iterator, List, Optional, Tuple

from pypinyin import lazy_pinyin
from pypinyin.constants import PINYIN_DICT

from assistant.wording import glossary

_WORD = re.compile(r"[A-Za-zÀ-ɏ]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
MIN_WORDS = 2  # a lone "hello" or "ok" is no pinyin message
PINYIN_SHARE = 0.8  # of the Latin words, this many must be whole syllables
LONGEST_TERM = 8  # syllables


def _toneless(text: str) -> str:
    plain = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    return plain.lower().replace("ü", "v")


@lru_cache(maxsize=1)
def _syllables() -> frozenset:
    found = {_toneless(p) for value in PINYIN_DICT.values() for p in value.split(",")}
    return frozenset(s for s in found if re.search("[aeiouv]", s))


def _split(word: str) -> Optional[List[str]]:
    """taobao → [tao, bao]; None when the word is not made of syllables. Longest syllable first,
    with the next one checked (xian is xian, not xi an, unless the rest needs it)."""
    syllables, longest = _syllables(), 6

    def walk(rest: str) -> Optional[List[str]]:
        if not rest:
            return []
        for size in range(min(longest, len(rest)), 0, -1):
            if rest[:size] in syllables:
                tail = walk(rest[size:])
                if tail is not None:
                    return [rest[:size], *tail]
        return None

    return walk(word)


def is_pinyin(text: str) -> bool:
    """Nearly all of a message's Latin words are pinyin, and it holds no Chinese character."""
    words = _WORD.findall(text or "")
    if len(words) < MIN_WORDS or _CJK.search(text or ""):
        return False
    whole = sum(1 for w in words if _split(_toneless(w)) is not None)
    return whole >= PINYIN_SHARE * len(words)


@lru_cache(maxsize=4)
def _vocabulary(terms: Tuple[str, ...]) -> Dict[Tuple[str, ...], str]:
    """Toneless syllables → the word they spell; the terms given before everyday words."""
    words = [t for t in terms if _CJK.search(t) and not re.search("[A-Za-z0-9]", t)]
    words += glossary()["pinyin_words"]
    table: Dict[Tuple[str, ...], str] = {}
    for word in words:
        table.setdefault(tuple(lazy_pinyin(word)), word)
    return table


def _words(text: str) -> Iterator[Tuple[int, int, List[str]]]:
    for m in _WORD.finditer(text):
        split = _split(_toneless(m.group()))
        if split is not None:
            yield m.start(), m.end(), split


def pinyin_edits(text: str, terms: Tuple[str, ...]) -> List[Tuple[int, int, str]]:
    """Edits putting the words a pinyin message spells in characters (see the module's doc)."""
    if not is_pinyin(text):
        return []
    table = _vocabulary(terms)
    words = list(_words(text))
    # one stream of syllables, each knowing the span of the typed word it came from
    stream = [(syllable, start, end) for start, end, split in words for syllable in split]
    edits, i = [], 0
    while i < len(stream):
        for size in range(min(LONGEST_TERM, len(stream) - i), 0, -1):
            key = tuple(s for s, _, _ in stream[i : i + size])
            term = table.get(key)
            first, last = stream[i], stream[i + size - 1]
            # a term covers whole typed words only (tao|bao, not half of a word)
            whole = (i == 0 or stream[i - 1][1] != first[1]) and (
                i + size == len(stream) or stream[i + size][1] != last[1]
            )
            if term and whole:
                edits.append((first[1], last[2], term))
                i += size
                break
        else:
            i += 1
    # the spaces between words put back in characters go too (淘宝运营 和 推广专员 → 淘宝运营和推广专员)
    between = [(end, start) for (_, end, _), (start, _, _) in zip(edits, edits[1:])]
    return sorted(edits + [(end, start, "") for end, start in between if not text[end:start].strip()])
