"""What the NLU reads: the visitor's text in plain Mandarin Simplified, with a map back.

Steps: lone surrogates and control characters out, full-width to half-width, Cantonese
and Taiwan words to Mandarin (kb/glossary.yml), Traditional to Simplified (OpenCC),
lower-case Latin, English terms to the page's Chinese, spaces between Chinese words
dropped (or a comma, where they break clauses), then same-sounding typos of knowledge-base terms fixed. Every step records
where each character came from (assistant.mapped), so entities found on the result
still point at what the visitor typed.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import List

import yaml

from assistant.mapped import Edit, Mapped, edits_for
from assistant.text import scrub, to_halfwidth, to_simplified, to_traditional

GLOSSARY_PATH = Path(__file__).resolve().parent.parent / "kb" / "glossary.yml"
_CJK = "\u3400-\u9fff"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")


@lru_cache(maxsize=1)
def glossary() -> dict:
    return yaml.safe_load(GLOSSARY_PATH.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _regional_table() -> dict:
    table = {}
    for word, mandarin in glossary()["regional"].items():
        table[word] = mandarin
        table.setdefault(to_traditional(word), mandarin)
    return table


@lru_cache(maxsize=1)
def _english_pattern() -> tuple[re.Pattern, dict]:
    table = {k.lower(): v for k, v in glossary()["english"].items()}
    words = sorted(table, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![a-z_'])(" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")(?![a-z_])"
    )
    return pattern, table


def _regional_guard(text: str, i: int, key: str) -> bool:
    return not (len(key) == 1 and i > 0 and text[i - 1] in glossary()["regional_not_after"])


def regional_edits(text: str):
    return edits_for(text, _regional_table(), _regional_guard)


def english_edits(text: str):
    pattern, table = _english_pattern()
    return [(m.start(), m.end(), table[re.sub(r"\s+", " ", m.group())]) for m in pattern.finditer(text)]


_SHORTHAND_ALONE = re.compile(r"^[\W_]*(\w+)[\W_]*$")


def shorthand_edits(text: str):
    """886 / 3q as the whole message is a goodbye or thanks; inside a sentence it is not."""
    alone = _SHORTHAND_ALONE.match(text)
    table = {str(k).lower(): v for k, v in glossary()["shorthand"].items()}
    if alone and alone.group(1) in table:
        return [(alone.start(1), alone.end(1), table[alone.group(1)])]
    return []


# A pasted link says nothing the page answers; its letters and digits would read as words. Nor do a
# WeChat group's @mention and sticker codes ([抱拳]), which would read as a question of their own.
_LINK = re.compile(r"(?:https?://|www\.)[^\s\u3400-\u9fff，。！？]*|@\S{1,20}\s|\[[\u3400-\u9fffa-zA-Z]{1,6}\]", re.I)
# 1. / 2) / (3) / ① at the start of the message or after a space or punctuation: a list of
# sub-questions, each its own sentence (not the digits 1 and 2 the classifier reads as figures).
# 差别很大吗⏎那它俩⏎有没有……: a line that ends on a question particle ends a question (换行党)
_QUESTION_LINE_END = re.compile(r"(?<=[吗嘛么呢])[ \t]*\n\s*(?=\S)")
_LIST_MARK = re.compile(r"(?:(?<=^)|(?<=[\s,.;:，。；：!?！？]))\s*(?:[1-9][.、)]|\([1-9]\)|[①-⑨])(?!\d)\s*")


# What a phone or mail program adds under a message (发自我的iPhone / Sent from my iPad / 祝好 + a name).
_FOOTER = re.compile(
    r"(?:发自|來自|来自)我的\s*[\w\s]{1,20}$|sent from my \w+|(?:^|\n)\s*(?:祝好|此致|敬礼|best regards|regards)[\s\S]*$",
    re.IGNORECASE | re.MULTILINE,
)


# The site's converter wrote pinyin after some characters (運(yùn)營(yíng)); a visitor pasting the page
# pastes it too. Toned or not, right after a Chinese character, it goes.
_PINYIN_NOTE = re.compile(r"(?<=[\u3400-\u9fff])\((?:[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6}\d?)\)", re.I)


# A pasted to-do list: an item ticked off ([x] 淘宝运营 vs 推广专员) is done, not asked.
_DONE_ITEM = re.compile(r"^[ \t]*(?:[-*•]\s*)?(?:\[[xX✓√]\]|✅|☑|✔)[^\n]*$", re.MULTILINE)


# A Weibo or Moments repost chain (……//@小鹿:运营偏务实 //@阿杰:求解释): each `//@name:` starts a sentence.
_REPOST = re.compile(r"(?://\s*|^\s*)@[^:：\s/]{1,20}[:：]")
# WeChat's quote-reply: 「name：the quoted message」, a dashed line, then what is said now. The quoted message is
# what was said before (这几步 / 还没回我 lean on it), not a quotation of the page the question is about.
_WECHAT_QUOTE = re.compile(r"^\s*「(?:[^」：:\n]{1,16}[：:])?([^」]{1,400})」\s*\n\s*(?:[-—–_]\s*){3,}\n?")


def layout_edits(text: str):
    """WeChat's quoted message, links, repost names, the converter's pinyin and mail footers out; list markers become
    sentence ends (assistant.clauses cuts there)."""
    quote = _WECHAT_QUOTE.match(text)
    said = quote.group(1).rstrip("。.!！?？ ") if quote else ""
    edits = [(quote.start(), quote.start(1), ""), (quote.end(1), quote.end(), "。")] if quote else []
    if quote and said != quote.group(1):  # its own sentence end stays, and no second one follows
        edits[1] = (quote.start(1) + len(said), quote.end(), "。")
    edits += [
        (m.start(), m.end(), "。" if m.start() else "")
        for m in _REPOST.finditer(text)
        if not any(a <= m.start() < b for a, b, _ in edits)
    ]
    edits += [(m.start(), m.end(), " ") for m in _DONE_ITEM.finditer(text) if m.end() > m.start()]
    edits += [
        (m.start(), m.end(), "")
        for m in _PINYIN_NOTE.finditer(text)
        if not any(a <= m.start() < b for a, b, _ in edits)
    ]
    edits += [
        (m.start(), m.end(), " ") for m in _LINK.finditer(text) if not any(a <= m.start() < b for a, b, _ in edits)
    ]
    for m in _FOOTER.finditer(text):
        if m.end() > m.start() and m.start() > 0 and not any(a < m.end() and m.start() < b for a, b, _ in edits):
            edits.append((m.start(), m.end(), " "))
    edits += [
        (m.start(), m.end(), "？")
        for m in _QUESTION_LINE_END.finditer(text)
        if not any(a < m.end() and m.start() < b for a, b, _ in edits)
    ]
    taken = [(a, b) for a, b, _ in edits]
    for m in _LIST_MARK.finditer(text):
        if m.end() > m.start() and not any(a <= m.start() < b for a, b in taken):
            edits.append((m.start(), m.end(), "；" if m.start() else ""))
    return sorted(edits)


_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+(?=[{_CJK}])")
_RUN_BEFORE = re.compile(rf"[{_CJK}]+$")
_RUN_AFTER = re.compile(rf"^[{_CJK}]+")


def _clause_spaces(text: str) -> List[Edit]:
    """Visitors who type no punctuation (我没证也没啥学历 就想知道……) break clauses with a space: such a
    space is a comma when a clause of its own ends before it (a particle, or four characters or more)
    and the words after it open a new one (就 / 那 / 我 / 如果……, `clause_openers` in the glossary).
    Other spaces between Chinese words (淘宝 运营) are only dropped."""
    cues = glossary()["clause_space"]
    edits = []
    for m in _SPACE_BETWEEN_CJK.finditer(text):
        before = _RUN_BEFORE.search(text[: m.start()]).group()
        after = _RUN_AFTER.search(text[m.end() :]).group()
        ends = before[-1] in cues["particles"] or len(before) >= cues["min_clause"]
        opens = any(after.startswith(w) for w in cues["openers"]) and len(after) > 1
        # 我在市场部干了五年天天加班 虚在哪了: two runs this long are two clauses, whatever opens the second
        long_runs = len(before) >= cues["long_run"] and len(after) >= cues["min_clause"]
        if (ends and opens) or long_runs:
            edits.append((m.start(), m.end(), ","))
    return edits


def _lower(text: str) -> str:
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _drop_control(text: str) -> str:
    # NUL makes OpenCC stop reading; other control characters carry nothing.
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", text)


def normalize_mapped(text: str, corrector=None) -> Mapped:
    m = Mapped.of(_drop_control(scrub(text)))
    m = m.map_chars(to_halfwidth)
    m = m.edit(layout_edits(m.text))
    m = m.edit(regional_edits(m.text))
    m = m.map_chars(to_simplified)
    m = m.map_chars(_lower)
    m = m.edit(_clause_spaces(m.text))  # the visitor's own spaces, before English words become Chinese ones
    if corrector is not None:  # taobao yunying he tuiguang zhuanyuan: 淘宝运营和推广专员 (assistant.kb.PageCorrector)
        m = m.edit(corrector.pinyin_edits(m.text))
    m = m.edit(shorthand_edits(m.text))
    m = m.edit(english_edits(m.text))
    m = m.edit((s.start(), s.end(), "") for s in _SPACE_NEAR_CJK.finditer(m.text))
    if corrector is not None:
        m = corrector.correct_mapped(m)
    return m


def normalize(text: str, corrector=None) -> str:
    """What the NLU pipeline reads: Mandarin Simplified, lower-case Latin, English terms in
    Chinese, and typos fixed when a corrector (assistant.kb.default_corrector) is given."""
    return normalize_mapped(text, corrector).text
