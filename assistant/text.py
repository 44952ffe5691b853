"""Text normalisation for Chinese input: full-width to half-width, Traditional to
Simplified (OpenCC), and same-sounding typos of known terms (pypinyin).

Every step keeps the text's length, so entity offsets found on the normalised
text are valid on what the visitor typed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable

import opencc
from pypinyin import lazy_pinyin

from assistant.mapped import Mapped

_T2S = opencc.OpenCC("t2s")
# Taiwan phrases too (網路 -> 网络, 軟體 -> 软件), so both variants of Traditional are understood.
_TW2SP = opencc.OpenCC("tw2sp")
_S2T = opencc.OpenCC("s2t")
_S2TW = opencc.OpenCC("s2tw")

# Longer messages are not typo-corrected: nobody types an essay of page terms,
# and it keeps the cost of a huge message linear and small.
MAX_CORRECTED_CHARS = 300


def scrub(text: str) -> str:
    """Lone surrogates (possible in JSON input) become "?": OpenCC cannot encode them."""
    return text.encode("utf-8", "replace").decode("utf-8")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_input(text: str) -> str:
    """What every channel passes on from a visitor: no lone surrogates, NUL or other control
    characters (a NUL makes OpenCC stop reading; a surrogate cannot be stored as UTF-8). A pasted
    repost chain (//@name:…) is text, not a /command to Rasa: its leading // goes."""
    cleaned = _CONTROL.sub("", scrub(text))
    return cleaned.lstrip()[2:] if cleaned.lstrip().startswith("//@") else cleaned


def to_halfwidth(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0x3000:
            code = 0x20
        elif 0xFF01 <= code <= 0xFF5E:
            code -= 0xFEE0
        out.append(chr(code))
    return "".join(out)


def _same_length(converted: str, original: str, per_char) -> str:
    if len(converted) == len(original):
        return converted
    # A phrase rule changed the length: convert character by character instead.
    return "".join(per_char(ch) if len(per_char(ch)) == 1 else ch for ch in original)


def to_simplified(text: str) -> str:
    if _T2S.convert(text) == text:  # already Simplified: tw2sp would still touch 么 -> 幺
        return text
    converted = _same_length(_TW2SP.convert(text), text, _T2S.convert)
    # Characters that were already Simplified stay as typed (the 么 of a Cantonese 咩 -> 什么).
    return "".join(old if _t2s_char(old) == old else new for old, new in zip(text, converted))


@lru_cache(maxsize=8192)
def _t2s_char(ch: str) -> str:
    return _T2S.convert(ch)


@lru_cache(maxsize=16384)
def _char_to_traditional(ch: str, converter=None) -> str:
    return (converter or _S2TW).convert(ch)


def to_traditional(text: str, converter=None) -> str:
    """OpenCC's phrase-aware conversion (联系 -> 聯繫; Taiwan standard, or `converter`), except
    where a phrase rule changes the words themselves (实时 -> 即時): there the characters are
    converted one by one, so answers keep the page's own words."""
    converter = converter or _S2TW
    converted = converter.convert(text)
    if len(converted) != len(text):
        return "".join(_char_to_traditional(ch, converter) for ch in text)
    return "".join(
        new if _T2S.convert(new) == old else _char_to_traditional(old, converter) for old, new in zip(text, converted)
    )


# Words that only a Hong Kong / Cantonese or a Taiwan writer uses, to answer in their variant.
_HONG_KONG = re.compile(r"[係嘅咩唔哋冇喺嗰啲咗嚟㗎乜嘢佢睇搵揾俾畀]")
_TAIWAN = re.compile(r"網路|軟體|資訊|營運|行銷|影片|使用者|品質|專案|部落格|臉書")
# Taiwan's own words in answers to a Taiwan writer (網路, not 網絡); everything else is
# converted character by character so that the page's words stay the page's.
_TAIWAN_WORDS = {"網絡": "網路", "軟件": "軟體", "信息": "資訊", "視頻": "影片"}
_S2HK = opencc.OpenCC("s2hk")


_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")


def is_english(text: str) -> bool:
    """A whole sentence in English (at least three English words, no Chinese character)."""
    return len(_LATIN_WORD.findall(text or "")) >= 3 and not _CJK_CHAR.search(text or "")


def script_of(text: str) -> str | None:
    """'traditional', 'taiwan', 'hongkong' (Traditional with that region's words), 'simplified',
    or None when the text does not tell."""
    text = scrub(text)
    if _T2S.convert(text) != text:  # Cantonese typed in Simplified (系咪, 有冇) stays Simplified
        if _HONG_KONG.search(text):
            return "hongkong"
        return "taiwan" if _TAIWAN.search(text) else "traditional"
    if _S2T.convert(text) != text:
        return "simplified"
    return None


_ASCII_IN_CHINESE = re.compile(r"(?<=[\u4e00-\u9fff）」』”])([,:;?!])(?=[\u4e00-\u9fff（「『“》」』”）\s*\d]|$)")
_FULL_WIDTH = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


def chinese_punctuation(text: str) -> str:
    """ASCII , : ; ? ! right after a Chinese character become full-width (the page's converter left
    many ASCII ones beside its own "，" and "："); numbers, times and URLs are untouched."""
    return _ASCII_IN_CHINESE.sub(lambda m: _FULL_WIDTH[m.group(1)], text)


def in_script(text: str, script: str | None) -> str:
    """An answer (Simplified) in the visitor's script and regional variant."""
    if script in (None, "simplified"):
        return text
    if script == "hongkong":
        return to_traditional(text, _S2HK)
    converted = to_traditional(text)
    if script == "taiwan":
        for mainland, taiwan in _TAIWAN_WORDS.items():
            converted = converted.replace(mainland, taiwan)
    return converted


def _syllables(text: str) -> list[str]:
    # One toneless syllable per character; non-Chinese characters stay themselves.
    return [p if len(p) > 0 else ch for ch, p in zip(text, lazy_pinyin(text, errors=lambda s: list(s)))]


def syllables(text: str) -> list[str]:
    """Toneless pinyin, a syllable a character (救业 and 就业 are both jiu ye)."""
    return _syllables(text)


def _fuzzy(syllable: str) -> str:
    """The sound with the distinctions many speakers blur: zh/z, ch/c, sh/s, l/n, -ng/-n."""
    for blurred, plain in (("zh", "z"), ("ch", "c"), ("sh", "s")):
        if syllable.startswith(blurred):
            syllable = plain + syllable[2:]
            break
    if syllable.startswith("l"):
        syllable = "n" + syllable[1:]
    if syllable.endswith("ng") and len(syllable) > 2:
        syllable = syllable[:-1]
    return syllable


# Grammatical particles: a span ending with one is a word and its particle, not a term missing a character.
_PARTICLES = "的了地得着过吗呢吧啊"


# Characters that are words of their own (negation, particles): never a typo of a term's character.
# never replaced: particles, and the verb 干 (推广干的 is not 推广岗的); not 没: 新没体 is a typo of 新媒体
_FUNCTION_CHARS = frozenset("不吧啊呢吗嘛了着过干")


class TypoCorrector:
    """Replaces a span that sounds like a known term (toneless pinyin) by the term.

    Exact sound for every term; for terms of 3+ characters also the blurred sound
    (运莹 -> 运营 is exact, 推广专园 -> 推广专员 is blurred -n/-an); for 5+ characters one
    wrong inner character (新媒休推广); for 4+ characters one dropped inner character
    (新媒推广 -> 新媒体推广). Never inside an ordinary word that reaches outside the span.
    """

    def __init__(self, terms: Iterable[str]):
        chinese = sorted({t for t in terms if len(t) >= 2 and _is_chinese(t)}, key=len)
        self._by_sound: dict[tuple[str, ...], str] = {}
        self._by_blur: dict[tuple[str, ...], str] = {}
        for term in chinese:
            sounds = _syllables(term)
            self._by_sound.setdefault(tuple(sounds), term)
            if len(term) >= 3:
                self._by_blur.setdefault(tuple(map(_fuzzy, sounds)), term)
        self._lengths = sorted({len(k) for k in self._by_sound}, reverse=True)
        # Shorter terms would turn ordinary words into terms (网上投广 -> 网上推广).
        self._by_gap: dict[str, str] = {}
        self._by_drop: dict[str, str] = {}
        for term in chinese:
            for i in range(1, len(term) - 1):
                if len(term) >= 5:
                    self._by_gap.setdefault(term[:i] + "?" + term[i + 1 :], term)
                if len(term) >= 4:
                    self._by_drop.setdefault(term[:i] + term[i + 1 :], term)
        self._gap_lengths = sorted({len(k) for k in self._by_gap}, reverse=True)
        self._drop_lengths = sorted({len(k) for k in self._by_drop}, reverse=True)

    def edits(self, text: str) -> list[tuple[int, int, str]]:
        if len(text) > MAX_CORRECTED_CHARS or not self._by_sound:
            return []
        sounds = _syllables(text)
        if len(sounds) != len(text):
            return []
        blurred = [_fuzzy(s) for s in sounds]
        taken = [False] * len(text)
        found = []

        def take(start: int, size: int, term: str | None) -> bool:
            if term is None or text[start : start + size] == term or _breaks_a_word(text, start, size, term):
                return False
            window = text[start : start + size]
            if len(window) == len(term) and any(a != b and a in _FUNCTION_CHARS for a, b in zip(window, term)):
                return False  # 运营不就是…: 不 is the visitor's word, not a typo of 部
            if size == 2 and _dictionary().get(text[start : start + size], 0) > 0:
                return False  # 融媒体中心: an ordinary word that sounds like a term (重心) is that word
            found.append((start, start + size, term))
            taken[start : start + size] = [True] * size
            return True

        # Longest first, so 新媒休推广 becomes 新媒体推广 before 推广 is considered.
        sizes = sorted(set(self._lengths) | set(self._gap_lengths) | set(self._drop_lengths), reverse=True)
        for size in sizes:
            for start in range(len(text) - size + 1):
                window = text[start : start + size]
                if any(taken[start : start + size]) or not _is_chinese(window):
                    continue
                exact = self._by_sound.get(tuple(sounds[start : start + size]))
                if exact == window:  # already the term: nothing to correct, and nothing else may take it
                    taken[start : start + size] = [True] * size
                    continue
                if take(start, size, exact):
                    continue
                if take(start, size, self._by_blur.get(tuple(blurred[start : start + size]))):
                    continue
                if (
                    size in self._drop_lengths
                    and not _dictionary().get(window)
                    and window[-1] not in _PARTICLES  # 工作的总体定位 is no 工作目的 with 目 dropped
                    and take(start, size, self._by_drop.get(window))
                ):
                    continue
                if size in self._gap_lengths:
                    for i in range(1, size - 1):  # inner characters only: 电商运营跟 is no typo of 电商运营岗
                        if take(start, size, self._by_gap.get(window[:i] + "?" + window[i + 1 :])):
                            break
        return found

    def correct_mapped(self, mapped):
        return mapped.edit(self.edits(mapped.text))

    def correct(self, text: str) -> str:
        return self.correct_mapped(Mapped.of(text)).text


@lru_cache(maxsize=1)
def _dictionary() -> dict:
    import jieba

    jieba.initialize()
    return jieba.dt.FREQ


def _breaks_a_word(text: str, start: int, size: int, term: str) -> bool:
    """True when a character the correction would change belongs to an ordinary word
    reaching outside the span: 运营不同 is 运营 + 不同, not a typo of 运营部."""
    words = _dictionary()
    end = start + size
    changed = [i for i in range(start, end) if i - start >= len(term) or text[i] != term[i - start]]
    if len(term) != size:  # a dropped character: the word around the gap must not be ordinary
        changed = list(range(start, end))
    for pos in changed:
        for left in range(max(0, pos - 3), pos + 1):
            for right in range(pos + 1, min(len(text), pos + 4) + 1):
                if (left < start or right > end) and right - left >= 2 and words.get(text[left:right], 0) > 0:
                    return True
    return False


def _is_chinese(term: str) -> bool:
    return all("\u4e00" <= ch <= "\u9fff" for ch in term)
