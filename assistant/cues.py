"""Words that say what a message is about, whatever the classifier made of the rest (kb/glossary.yml).

- `asks_for_person`: a request for a person or our contacts (联系方式 / 转人工), not negated
  (不用留联系方式吧 is no request);
- `asks_price`: what our services cost (报价 / 多少钱): the page gives no prices, our staff do;
- `meta_question`: about the assistant itself (你能回答哪些问题) or the page's sources (出自哪里);
- `points_into_last_answer`: 第二点展开说说, naming nothing of the page: a point of the last answer;
- `asks_again`: 给我原文那句话, naming nothing of the page, or 乱码，再发一次: the last answer again;
- `asks_gist`: 这页讲了个啥, naming nothing of the page: the title question;
- `pings`: 在不在 / 有人吗, naming nothing of the page: a greeting;
- `closing_small_talk`: thanks, a goodbye or a greeting in a message that asks nothing
  (谢谢你听我唠叨 / 就此别过 / 幸会幸会), the last sentence's first.
Each takes normalised text (assistant.wording.normalize).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from assistant.clauses import fallback_person_spans, is_question, names_page, questions, sentences, subject_mentions
from assistant.kb import load_kb
from assistant.phrasebook import load_phrasebook
from assistant.wording import glossary

# 不用留联系方式吧 / 不想给电话: the cue negated is no request
# (别的联系方式 is another one, not a refusal)
_DECLINED_BEFORE = re.compile(
    r"不用|不想|不要|(?<![区特分类级告性个离辨识差])别(?![的人家处])|无需|不必|没必要|不方便|不愿意|不留|不给"
)
NEGATION_REACH = 4  # characters before a cue that can negate it


def _said(cue: str, text: str) -> bool:
    at = text.find(cue)
    while at >= 0:
        start = max(0, at - NEGATION_REACH)
        # one character more so that 区别 is seen whole; a negation must start within the reach
        window = text[max(0, start - 1) : at]
        if not any(m.start() + max(0, start - 1) >= start for m in _DECLINED_BEFORE.finditer(window)):
            return True
        at = text.find(cue, at + 1)
    return False


_HOW_THEY_RELATE = re.compile(r"联系(?:起来|在一起)")  # 运营和市场怎么联系起来: not our contacts


def asks_for_person(text: str) -> bool:
    """A request for a person, but for one asked only if the question goes unanswered
    (……你搞不清楚的话转人工: `person_if_unanswered`)."""
    rest = _without_fallback(text)
    # (有问题的话转人工 alone asks nothing else: it is the request)
    text = _HOW_THEY_RELATE.sub("", rest if len(rest.strip(" ，,。.？?！!")) >= 2 else text)
    return any(_said(cue, text) for cue in glossary()["asks_for_person"])


def _without_fallback(text: str) -> str:
    spans = fallback_person_spans(text)
    return "".join(ch for i, ch in enumerate(text) if not any(a <= i < b for a, b in spans))


def person_if_unanswered(text: str) -> bool:
    """Whether the message asks for a person should the assistant not know the answer."""
    return bool(fallback_person_spans(text))


def asks_price(text: str) -> bool:
    return any(_said(cue, text) for cue in glossary()["asks_price"])


def asks_our_price(text: str) -> bool:
    """……页面写运营要管公众号的日常运维，你们代运维公众号一年收多少钱: the last sentence asks what our
    service costs, whatever page words come before it."""
    spans = sentences(text)
    last = text[spans[-1][0] : spans[-1][1]] if spans else text
    return asks_price(last) and any(word in last for word in glossary()["addresses_us"])


def meta_question(text: str, focus: str) -> Optional[str]:
    """ask_sources / bot_challenge / ask_capabilities, or None; `focus` is the question in the message, which
    names no role when it asks what the assistant can answer."""
    cues = glossary()["meta_questions"]
    if any(cue in text for cue in cues["ask_sources"]) and not _names_a_facts_decisive_words(text):
        return "ask_sources"
    if any(cue in text.lower() for cue in cues["bot_challenge"]):
        return "bot_challenge"
    if any(cue in text for cue in glossary()["capabilities_naming_roles"]):
        return "ask_capabilities"  # 你就只能回答运营和推广区别这一个问题？: about the assistant, roles or not
    # 我干运营十来年了……就想看看你这儿都能聊哪些话题: the sentence asking names no role
    asking = [text[s:e] for s, e in sentences(text) or [(0, len(text))]]
    if any(
        any(cue in sentence for cue in cues["ask_capabilities"]) and not subject_mentions(sentence)
        for sentence in asking
    ):
        return "ask_capabilities"
    return None


def closing_small_talk(text: str) -> Optional[str]:
    """thank / goodbye / greet when a message that asks nothing carries one, else None."""
    if questions(text) or is_question(text, weak=False):
        return None
    cues = glossary()["small_talk_cues"]
    lowered = text.lower()
    for s, e in reversed(sentences(lowered) or [(0, len(lowered))]):
        sentence = lowered[s:e]
        for intent in ("goodbye", "thank", "greet"):
            if any(cue in sentence for cue in cues[intent]):
                return intent
    return None


@lru_cache(maxsize=1)
def _ordinal_point() -> re.Pattern:
    numerals = "|".join(load_phrasebook().numerals[1:11])
    units = "|".join(glossary()["point_units"])
    return re.compile(rf"{glossary()['point_prefix']}\s*(?:{numerals}|[1-9])\s*(?:{units})")


def points_into_last_answer(text: str) -> bool:
    """第二点展开说说 / 第3条呢: an ordinal point and nothing of the page named (actions/follow_up.py)."""
    return bool(_ordinal_point().search(text)) and not names_page(text)


def page_step(text: str) -> Optional[str]:
    """ok 下一条呢 / 再往下那段讲的啥: "next" or "previous" along the page from the last answer."""
    steps = glossary()["page_steps"]
    found = [(text.find(cue), kind) for kind in ("next", "previous") for cue in steps[kind] if cue in text]
    return min(found)[1] if found else None


def _names_a_facts_decisive_words(text: str) -> bool:
    """我想引一个有出处的定义回他: the definition, whose source is only how it is asked for."""
    kb = load_kb()
    # a fact of one role (市场部的定义); “运营包含市场”这些观点出自哪 still asks for the sources
    said = {kb.decisive_fact(k, text) for k in kb.comparisons} - {None, "sources"}
    return any(kb.facts[k].get("subject") for k in said)


def asks_again(text: str, whole: Optional[str] = None) -> bool:
    """直接给我原文那句话 / 标准说法是啥: the last answer again, in the page's words, naming nothing of the page;
    or the last reply came broken (乱码，再发一次), whatever the message names."""
    acts = glossary()["follow_up_acts"]
    again = any(cue in text for cue in acts["again"]) and not names_page(text)
    # 所以你是建议我去做运营咯: the answer taken as advice, whatever roles it names (not with a request of
    # its own after it: ……喽？给我推荐一家靠谱的机构呗)
    # (你推荐我干网络推广还是运营 asks which to take: a question of its own)
    advice = any(cue in text for cue in acts["advice"]) and len(sentences(whole or text)) == 1 and "还是" not in text
    return again or resends(text) or advice


def resends(text: str) -> bool:
    """你这条只显示了第一点，后面都没了 / 一堆小方框乱码，再发一次: the last reply reached them broken."""
    return any(cue in text for cue in glossary()["resend"])


def asks_gist(text: str) -> bool:
    """这页到底讲了个啥，给我说个大概: what the page says as a whole, naming nothing of it."""
    cues = [cue for cue in glossary()["asks_gist"] if cue in text]
    # the cue's own words (主要内容) name nothing of the page
    return bool(cues) and not names_page(re.sub("|".join(map(re.escape, cues)), "，", text))


def pings(text: str) -> bool:
    """在不在啊？有人吗: checking someone is there, naming nothing of the page."""
    return any(cue in text for cue in glossary()["pings"]) and not names_page(text)


def closes_with_greeting(text: str) -> bool:
    """……小窗口就是你吧？你好呀: a greeting in the last sentence of the message."""
    spans = sentences(text.lower().strip())
    last = text.lower().strip()[spans[-1][0] : spans[-1][1]] if spans else ""
    return any(cue in last for cue in glossary()["small_talk_cues"]["greet"])


def opens_with_greeting(text: str) -> bool:
    """哈咯～我是新加坡的，可以问问题吗: a greeting in the first clause of the message."""
    first = re.split(r"[，,。！!？?～~\s]", text.lower().strip(), maxsplit=1)[0]
    return any(cue in first for cue in glossary()["small_talk_cues"]["greet"])


def thanks_for_help(text: str) -> bool:
    """面试过了！你们那篇文章帮了大忙，特地来说声谢谢: thanks for help already given, asking nothing
    (not even 区别 in passing), whatever page words the story holds."""
    if is_question(text, weak=False) or any(is_question(text[s:e], weak=False) for s, e in sentences(text)):
        return False
    cues = glossary()["small_talk_cues"]
    return any(w in text for w in glossary()["helped"]) and any(c in text for c in cues["thank"])
