"""Reading the question inside a message.

A visitor often tells a story first and asks somewhere inside it, asks two things at
once, or points back with 前者 / 它俩 / 另一个. This module works on the normalised
text (assistant.wording) and keeps its map to what the visitor typed:

- `sentences`: the message cut at 。！？；and line breaks, and before 另外 / 还有 / 顺便;
- `questions`: the sentences that ask something (a ? at the end, else a question word);
- `focus`: what the classifier should read: the question sentences, with the roles the
  story (or the conversation) named put in place of 这两个 / 前者 / 它;
- `separate_questions`: the questions of a message that asks two things, for answering
  both in one turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import combinations
from typing import List, Optional, Sequence, Tuple

from assistant.kb import load_kb
from assistant.mapped import Mapped
from assistant.wording import glossary, normalize_mapped

Span = Tuple[int, int]
# A message this short is read whole: it is the question.
SHORT_MESSAGE = 24
# A question sentence longer than this is trimmed to its asking clauses.
LONG_SENTENCE = 36
_TRAILING_OFF = re.compile(r"…+|\.{3,}")
THINKING_ALOUD = 2  # trailing-off pauses, no question mark: the message is one thought
# an emoji ends a sentence as a full stop does (……好记👍 那网络推广能起什么作用)
_SENTENCE_END = re.compile(r"[。！？!?；;\n]+|\.{3,}|…+|[\U0001F300-\U0001FAFF\u2600-\u27BF]+\s*")
_CLAUSE_END = re.compile(r"[，,、：:]+")
# A question that chooses between or compares roles (哪个更适合我？): it is about the roles the story named.
_COMPARATIVE = re.compile(
    r"哪个|哪边|哪一个|哪一边|哪一条|哪条|哪一行|哪种|谁|区别|不同|差别|差异|差在|差哪|差啥|比较|对比|分别|一样|评评理"
)
# Beside a question ending with ?, a sentence without one is a second question only when it is short
# (你们有人工客服吗); a long one is the story going on (不知道自己更适合哪边，想先看看……).
SHORT_QUESTION = 16
# A question this short with no role in it (有什么好办法?) needs the clause before it.
VAGUE_QUESTION = 12


@dataclass(frozen=True)
class Reading:
    """What the clause reader found (also shown in the parse output)."""

    focus: Mapped
    questions: List[str] = field(default_factory=list)
    references: List[str] = field(default_factory=list)

    def explain(self) -> dict:
        return {"focus": self.focus.text, "questions": self.questions, "references": self.references}


def is_question(text: str, weak: bool = True) -> bool:
    """A clause that asks: ends with ?, or holds a question word used as one
    (with `weak`, also a word such as 区别 that asks only in context)."""
    stripped = text.strip(" ；;")
    if not stripped:
        return False
    if stripped[-1] in "?？":
        return True
    g = glossary()
    for phrase in g["not_question"]:
        stripped = stripped.replace(phrase, "")
    cues = g["question_cues"] + (g["weak_question_cues"] if weak else [])
    return any(cue in stripped for cue in cues) or bool(_A_NOT_A.search(stripped))


# 有用没用 / 算不算 / 行不行: a word, then 不 or 没, then the word again asks
_A_NOT_A = re.compile(r"([\u4e00-\u9fff]{1,2})[不没]\1")
_YES_NO_END = re.compile(r"(?<![什怎那这多要])[吗么嘛][?？]?\s*$")  # (not 指什么)


def asks_yes_or_no(text: str) -> bool:
    """这篇到底有没有价值 / 算有用吗: a question answered yes or no."""
    return bool(_A_NOT_A.search(text) or _YES_NO_END.search(text))


def _openers() -> re.Pattern:
    words = sorted(glossary()["second_question_openers"], key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


def sentences(text: str) -> List[Span]:
    """Sentence spans; a second-question opener (另外, 顺便) starts a new one."""
    spans, start = [], 0
    for end_mark in _SENTENCE_END.finditer(text):
        spans.append((start, end_mark.end()))
        start = end_mark.end()
    if start < len(text):
        spans.append((start, len(text)))
    opener = _openers()
    out = []
    for s, e in spans:
        cut = s
        for m in opener.finditer(text, s, e):
            # only where a clause begins: 另外 after a comma or at the start
            if m.start() > cut and text[m.start() - 1] in "，, " and is_question(text[m.start() : e]):
                out.append((cut, m.start()))
                cut = m.start()
        out.append((cut, e))
    return [(s, e) for s, e in out if text[s:e].strip(" ，,。.!！?？")]


def _clauses(text: str, span: Span) -> List[Span]:
    s, e = span
    out, start = [], s
    for m in _CLAUSE_END.finditer(text, s, e):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, e))
    return [(a, b) for a, b in out if b > a]


def clause_spans(text: str) -> List[Span]:
    """The clauses of the whole text (cut at commas and sentence ends)."""
    return [c for sp in sentences(text) for c in _clauses(text, sp)]


def questions(text: str) -> List[Span]:
    """The sentences that ask. When any ends with ?, those (and ones with a clear question word) win.
    A last question that turns from what came before (……推广专员就更轻松了吧？行，那你说说这俩的工作
    内容有啥区别) is the one asked: the ones before were rhetorical or set the scene."""
    # a list's header (想问两点:) introduces the questions that follow; it is not one itself
    spans = [sp for sp in sentences(text) if text[sp[0] : sp[1]].rstrip(" ；;")[-1:] not in (":", "：")]
    marked = [sp for sp in spans if text[sp[0] : sp[1]].rstrip(" ；;")[-1:] in ("?", "？")]
    if not marked and len(_TRAILING_OFF.findall(text)) >= THINKING_ALOUD:
        # 网络品牌算一个……产品促销也算……还有一个是啥来着: thinking aloud, one thought
        return [(0, len(text))]
    if marked:
        found = [sp for sp in spans if sp in marked or _also_asks(text[sp[0] : sp[1]])]
    else:
        found = [sp for sp in spans if is_question(text[sp[0] : sp[1]])]
    if len(found) > 1 and _takes_over(text[found[-1][0] : found[-1][1]]):
        return found[-1:]
    last = text[found[-1][0] : found[-1][1]] if found else ""
    if len(found) > 1 and not _rhetorical(last) and (subject_mentions(last) or _find_references(last)):
        # 推广专员不就是能吆喝就行了？凭什么淘宝运营要求更高: a rhetorical claim before a question naming
        # its roles sets the scene (……具体都干啥, naming none, goes on from it)
        asked = [sp for sp in found[:-1] if not _rhetorical(text[sp[0] : sp[1]])] + found[-1:]
        found = asked if asked else found
    return found


def _rhetorical(sentence: str) -> bool:
    return any(cue in sentence for cue in glossary()["rhetorical"])


# 行，那你说说… / 好吧那… / 那么…: a sentence that turns from what was said before to the real question
_TAKE_OVER = re.compile(
    r"^\s*(?:(?:行吧|行|好吧|好的|好|嗯|哦|得|算了|ok|OK)[，,、\s]*)*(?:那么|那)(?!些|个|种|样|里|边|时|么多)"
)
TAKE_OVER_LENGTH = 10  # shorter (那推广专员呢) goes on from the question before instead


def _takes_over(sentence: str) -> bool:
    """A whole question of its own that turns from what was said before (那它跟电商运营差在哪儿)."""
    return (
        len(sentence.strip()) >= TAKE_OVER_LENGTH
        and bool(_TAKE_OVER.match(sentence))
        and is_question(sentence, weak=False)
        and bool(subject_mentions(sentence) or _find_references(sentence))
    )


def leans_on_before(sentence: str) -> bool:
    """A question that names no role and only checks or continues what came before it
    (能力要求上我说对了吗 / 还有啥来着): it is about the sentence before."""
    if subject_mentions(sentence):
        return False
    return any(cue in sentence for cue in glossary()["leans_on_before"])


def _tag_only(sentence: str) -> bool:
    """A statement with a question mark and no question word (打个比方，运营像店长？)."""
    stripped = sentence.rstrip(" ；;")
    return stripped[-1:] in ("?", "？") and not is_question(stripped.rstrip(" ?？"), weak=False)


def _announces(sentence: str) -> bool:
    """我想问下，就是那个，淘宝运营跟推广专员，嗯… announces the question the next sentence asks."""
    stripped = sentence.rstrip(" ；;")
    if stripped[-1:] in ("?", "？"):
        return False
    words = sorted(glossary()["announcers"], key=len, reverse=True)
    rest = re.sub("|".join(map(re.escape, words)), "", stripped)
    return rest != stripped and not is_question(rest, weak=False)


def _continues(earlier: str, later: str) -> bool:
    """`later` goes on from `earlier` rather than asking something of its own: it only checks or
    continues it, or it points back at 他俩 after a statement that merely ends with ?."""
    if leans_on_before(later) or _which_of_before(earlier, later):
        return True
    if any(later.lstrip().startswith(cue) for cue in glossary()["restates_before"]):
        return True  # ……是贬义吗？意思是市场部干的都是虚活？
    if (
        _rhetorical(earlier)
        and subject_mentions(earlier)
        and not subject_mentions(later)
        and not _find_references(later)
    ):
        return True  # 运营不就是发发微博嘛，能有多少正经活？具体都干啥: the claim's role
    if _POINTS_AT_LINE.search(later) and not subject_mentions(later) and names_page(earlier):
        return True  # best = max(['网络推广', '运营'], key=好就业) ↵ print(best) // 这行输出啥
    if _POINTS_AT_STORY.match(later) and not subject_mentions(later) and names_page(earlier):
        return True  # ……最后开了会员。这一路是怎么划分步骤的？
    if _JUDGES_STORY.match(later) and not subject_mentions(later) and subject_mentions(earlier):
        return True  # 运营顺手把市场的活也干了。这从道理上讲说得通吗: what the story says is judged
    if _CONVERSE.match(later) and subject_mentions(earlier):
        return True  # 推广是对外的事多。倒推一下，那运营就不碰外面的事？: the claim turned round
    if later.lstrip().startswith("还是") and subject_mentions(earlier):
        return True  # 运营包含市场？还是市场包含运营？: one question with its alternatives
    if (
        subject_mentions(earlier)
        and not subject_mentions(later)
        and not _find_references(later)
        and dimensions_in(later)
        and _COMPARATIVE.search(later)
    ):
        return True  # ……？范围上哪个大: the roles of the question before
    return (
        _tag_only(earlier)
        and any(kind == "both" for _, _, kind in _find_references(later))
        and not _takes_over(later)  # 推广专员更轻松了吧？行，那你说说这俩…: the claim was rhetorical
    )


# 这话到底啥意思: the question is about the saying in the clause before
_THIS_SAYING = re.compile(r"\s*(?:这话|这句话|这句|这说法|这个说法|这种说法|那话|那句话)")
# 单论好不好就业 / 光看能力: a clause naming the lens of the question after it
_LENS = re.compile(r"\s*(?:单论|单说|只论|光论|光说|只说|单从|只从|光从|单看|只看|光看|论起|要论|说到|至于)")
# 换过去之后会变成什么样 / 相当于把活儿铺大: a question about moving from one role to the other
_CHANGE = re.compile(r"变成|变化|换过去|转过去|调过去|转过来|挪到|挪个|相当于|铺大|接手|转变|思路要转")
# ……不是这么分的吧 / ……对吧: a claim put as a question without its question mark
_TAG_CLAIM = re.compile(r"(?:的吧|对吧|是吧|不是吗|没错吧)\s*[。.！!~～]*\s*$")
# 倒推一下 / 反过来说 / 那翻过来: a question that turns the sentence before it round
_CONVERSE = re.compile(r"\s*(?:那么|那|所以)?\s*(?:倒推|反推|反过来|翻过来|倒过来|反之)")
_WHICH_ONES = re.compile(r"哪几|哪些|几种|几个|几类|几步|几点|哪项|哪一项|是哪个|哪一个")


def names_page(text: str) -> bool:
    """Whether the text names a role, a dimension or a fact's words of the page."""
    kb = load_kb()
    return bool(
        subject_mentions(text)
        or dimensions_in(text)
        or any(len(w) >= 2 and w in text for f in kb.facts.values() for w in f.get("evidence") or [])
    )


def _which_of_before(earlier: str, later: str) -> bool:
    """……十几种网络广告形式，记不住。你们这篇里说常见的是哪几种？: a question asking which ones,
    naming nothing of the page, is about what the sentence before named."""
    return bool(
        _WHICH_ONES.search(later)
        and not _find_references(later)
        and not names_page(later)
        and not any(cue in later for cue in glossary()["asks_for_person"])
        and names_page(earlier)
    )


def _also_asks(sentence: str) -> bool:
    """Beside a sentence ending with ?, one without it asks too only when it is short
    (你们有人工客服吗) or opens a second question (另外能讲讲……吗); a long one is the story
    going on (不知道自己更适合哪边，想先看看……)."""
    if any(cue in sentence for cue in glossary()["imperatives"]) and names_page(sentence):
        return True  # ……会不会很乱？你先把文章里那几个特点完整讲一遍吧
    if sentence.lstrip().startswith("还是") and subject_mentions(sentence):
        return True  # ……是不是就算齐活了？还是说新媒体推广只占其中一部分
    if _COMPARED_WITH.match(sentence) and subject_mentions(sentence) and is_question(sentence, weak=False):
        return True  # ……就够了？跟淘宝运营比，对人的能力要求是不是低一截
    if _TAG_CLAIM.search(sentence) and compared_pair_named(sentence):
        return True  # ……运营真不用看数据？运营和市场不是这么分的吧: a claim about the pair put as a question
    if not is_question(sentence, weak=False):
        return False
    return (
        len(sentence) <= SHORT_QUESTION
        or bool(_openers().match(sentence.lstrip()))
        or _takes_over(sentence)
        # 就想知道市场推广和运营有什么区别: announced, or asking about roles of the page
        or any(word in sentence[:8] for word in glossary()["announcers"])
        or bool(subject_mentions(sentence) and _COMPARATIVE.search(sentence))
        # 运营具体都负责哪些，我不想说外行话: a short clause asking about a role of the page
        or any(
            len(c) <= SHORT_QUESTION and subject_mentions(c) and is_question(c, weak=False)
            for c in re.split(r"[，,]", sentence)
        )
    )


# --- the roles a message names -----------------------------------------------


@lru_cache(maxsize=1)
def _subject_terms() -> List[Tuple[str, str]]:
    kb = load_kb()
    terms = {}
    for key in kb.subjects:
        for alias in kb.subject_names(key):
            folded = normalize_mapped(alias).text
            if folded:
                terms.setdefault(folded, key)
    return sorted(terms.items(), key=lambda kv: -len(kv[0]))


def subject_mentions(text: str) -> List[Tuple[int, int, str]]:
    """(start, end, subject key) of every role named, longest alias first, left to right."""
    found, taken = [], [False] * len(text)
    kb = load_kb()
    for term, key in _subject_terms():
        for m in re.finditer(re.escape(term), text):
            if any(text[: m.start()].endswith(w) for w in kb.subjects[key].get("not_after") or []):
                continue  # 开拓市场: a market, not the department
            if not any(taken[m.start() : m.end()]):
                found.append((m.start(), m.end(), key))
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())
    return sorted(found)


@lru_cache(maxsize=1)
def _reference_patterns() -> List[Tuple[re.Pattern, str]]:
    refs = glossary()["references"]
    out = []
    for kind in ("mine", "both", "first", "second", "other", "this", "within"):
        words = sorted(refs[kind], key=len, reverse=True)
        # 第一个问题 / 第二个部分 count questions or parts of the page, not roles
        after = r"(?!问题|部分|点|步|方面|对比)" if kind in ("first", "second") else ""
        # 说的就是这个区别吧: this difference (the one just told), not a role
        after = r"(?!区别|不同|差别|差异|说法|意思|问题|例子|过程|情况|比喻)" if kind in ("this", "mine") else after
        # 签证官问我这跟运营有什么不同: 这 compared with a role is the role the story named
        # ……招的推广专员……他干的这些算他的本职吗: 他 / 她 is the one role the story named (not 其他 / 他们 / 他人)
        alone = (
            r"|(?<![\u4e00-\u9fff])这(?=跟|和|与|同|比)|(?<=[我问说])这(?=跟|和|与|同|比)|(?<![其吉])[他她](?![们人说讲问觉认这那])"
            if kind == "this"
            else ""
        )
        out.append((re.compile("(?:" + "|".join(map(re.escape, words)) + alone + ")" + after), kind))
    return out


def _find_references(text: str, people: bool = False) -> List[Tuple[int, int, str]]:
    """References to roles; 他 / 她 only with `people` (where they are resolved: elsewhere a person
    in a story, 他老说他的活更难, is no role the question leans on)."""
    found, taken = [], [False] * len(text)
    for pattern, kind in _reference_patterns():
        for m in pattern.finditer(text):
            if not any(taken[m.start() : m.end()]):
                found.append((m.start(), m.end(), kind))
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())
    return sorted(f for f in found if people or text[f[0] : f[1]] not in _PEOPLE)


_PEOPLE = ("他", "她")


OWN_ROLE_REACH = 10  # characters before a role in which the visitor says it is theirs


def own_role(text: str) -> Optional[str]:
    """我是做新媒体推广的 / 老板给我岗位名写的电商运营: the role the visitor says is theirs (the last said)."""
    cues = glossary()["own_role"]
    found = None
    for start, _, key in subject_mentions(text):
        clause = max(text.rfind(mark, 0, start) for mark in "，,。！!？?；;\n ") + 1
        if any(cue in text[max(clause, start - OWN_ROLE_REACH) : start] for cue in cues):
            found = key
    return found


def _partner(subject: str) -> Optional[str]:
    kb = load_kb()
    partners = [s for c in kb.comparisons.values() if subject in c["subjects"] for s in c["subjects"] if s != subject]
    return partners[0] if len(partners) == 1 else None


_CHECKS_PAGE = re.compile(r"(?:这页|页面|文章|你们|你)(?:上|里)?也是这么分|是一回事吗|是这个意思|说的就是这个")
_BARE_DIFFERENCE = re.compile(
    r"\s*(?:有啥|有什么|的)?(?:区别|不同|差别|差异)(?:呢|啊|吧|是什么|是啥|在哪)?[?？。!！\s]*$"
)
_WHICH_IS_MORE = re.compile(r"(?:谁|哪个|哪边|哪一个|哪一边)[^，,。？?！!]{0,4}更")
_HOW_TWO_DIFFER = re.compile(r"区别|不同|差别|差异|不一样|差在|关系|联系|异同")


@dataclass(frozen=True)
class Context:
    """What the conversation is about, from the Rasa server (message metadata)."""

    pair: Tuple[str, ...] = ()  # the two roles being compared, in the visitor's order
    subject: Optional[str] = None  # the one role last answered about
    fact: Optional[str] = None  # the single fact last answered (其中 / 这几步 point into it)
    own: Optional[str] = None  # the role the visitor said is theirs (我是做新媒体推广的 → 我这个)
    dimension: Optional[str] = None  # the dimension last answered (还有啥别的区别: the others)

    @classmethod
    def from_metadata(cls, metadata) -> Context:
        ctx = (metadata or {}).get("context") if isinstance(metadata, dict) else None
        if not isinstance(ctx, dict):
            return cls()
        kb = load_kb()
        pair = tuple(s for s in ctx.get("pair") or [] if isinstance(s, str) and s in kb.subjects)[:2]
        subject = ctx.get("subject") if ctx.get("subject") in kb.subjects else None
        fact = ctx.get("fact") if ctx.get("fact") in kb.facts else None
        own = ctx.get("own") if ctx.get("own") in kb.subjects else None
        dimension = ctx.get("dimension") if ctx.get("dimension") in kb.dimensions else None
        return cls(pair if len(pair) == 2 else (), subject, fact, own, dimension)


def _resolve(
    text: str, earlier: List[Tuple[int, int, str]], context: Context, conversation_known: bool = True
) -> Tuple[list, list]:
    """Edits putting role names in place of references, and a note of each."""
    kb = load_kb()
    name = lambda key: kb.subjects[key]["name"]  # noqa: E731
    named_here = [k for _, _, k in subject_mentions(text)]
    earlier_keys = list(dict.fromkeys(k for _, _, k in earlier))
    # 女主在电商公司做运营，男二做新媒体推广……这两个岗位: the two the page compares
    compared = [p for p in combinations(earlier_keys, 2) if kb.comparison_for(set(p)) not in (None, "overview")]
    pair = compared[0] if compared else tuple(earlier_keys[:2]) if len(earlier_keys) >= 2 else context.pair
    # 这俩到底啥区别 opening a chat: the two of the page's title (前者 / 两者的工作内容 stay as typed)
    # (only where the conversation is known: a part of a message is resolved later, with it)
    opening = conversation_known and not pair and not named_here and _HOW_TWO_DIFFER.search(text)
    title_pair = tuple(kb.overview["subjects"]) if opening else ()
    edits, notes = [], []
    for start, end, kind in _find_references(text, people=True):
        new = None
        # 我家店运营推广全是我一个人干，你们说的这两个岗位: the pair the page compares, named before
        loose = len(set(named_here)) >= 2 and compared and kb.comparison_for(set(named_here)) in (None, "overview")
        if kind == "both" and pair and (len(set(named_here)) < 2 or loose):
            new = f"{name(pair[0])}和{name(pair[1])}"
        elif kind == "both" and title_pair:
            new = f"{name(title_pair[0])}和{name(title_pair[1])}"
        elif kind == "first" and pair:
            new = name(pair[0])
        elif kind == "second" and pair:
            new = name(pair[1])
        elif kind == "other":
            seen = named_here or earlier_keys or ([context.subject] if context.subject else [])
            if seen:
                partner = next((s for s in pair if s != seen[-1]), None) if seen[-1] in pair else _partner(seen[-1])
                new = name(partner) if partner else None
        elif kind == "this" and not named_here:
            # 他 / 她 is the person the story opened with (招的推广专员……推广几乎没碰……他), 它 the last role
            # (never the last answer's role: 他这么说在理吗 is the person quoted, not 新媒体推广)
            person = text[start:end] in _PEOPLE
            key = (
                (earlier_keys[0] if person else earlier_keys[-1])
                if earlier_keys
                else None
                if person
                else context.subject
            )
            new = name(key) if key else None
        elif (
            kind == "this"
            and (text[end : end + 1] in "跟和与同比" or text[start - 1 : start] in "比跟和与同")
            and len(set(named_here)) == 1
        ):
            # 它跟电商运营差在哪 / 淘宝运营凭什么比它高: 它 is the role named before, not the one beside it
            others = [k for k in earlier_keys if k not in named_here]
            new = name(others[-1]) if others else None
        elif kind == "mine" and context.own:
            new = name(context.own)  # 那我这个有啥特点: the role the visitor said is theirs
        elif kind == "within" and context.fact:
            new = kb.facts[context.fact]["title"] + "中"
        if new:
            edits.append((start, end, new))
            notes.append(f"{text[start:end]}={new}")
    return edits, notes


@lru_cache(maxsize=1)
def _corrections() -> re.Pattern:
    cues = sorted(glossary()["corrections"], key=len, reverse=True)
    # 不对 corrects only where a clause starts, and not as 不对劲 / 不对的 / 哪里不对 (something is off)
    # (打错了吧 / 写错了吗 suspect our words, they correct nothing of the visitor's)
    loose = [
        re.escape(c) + ("(?!对)" if c.endswith("不") else "(?![吧吗么没])") for c in cues if not c.startswith("不对")
    ]
    return re.compile(r"(?:^|(?<=[，,。！!？?；;\s…~～吧啊哦呃嗯]))不对(?:不对)?(?![劲的吗吧呀])|" + "|".join(loose))


_NOT_THIS_BUT = re.compile(r"不是[^，,。！？!?]{1,20}[，,]\s*(?:而)?是")
MIN_CORRECTED = 4  # characters after the cue that can be a question


def corrected(text: str) -> Optional[int]:
    """Where the corrected question starts, when the visitor corrects themself (……哦不对，我是想
    知道X / 不对，我想问的不是前景，是工作方向), else None."""
    cues = list(_corrections().finditer(text))
    if not cues:
        return None
    start = cues[-1].end()
    # (不是问它跟电商运营的区别哈，是它本身的特点: the cue opens the 不是X，是Y itself)
    but = _NOT_THIS_BUT.search(text, cues[-1].start())
    if but:
        start = but.end()
    while start < len(text) and text[start] in "吧啊哦呀嘛呢，,：: ":
        start += 1
    rest = text[start:].strip(" ，,：:。!！")
    if cues[-1].group() in _INTERJECTED and not (
        subject_mentions(rest) or dimensions_in(rest) or rest.endswith(("?", "？"))
    ):
        return None  # ……对吗？哦不，别用那种眼神看着我: a turn of phrase, not a new question
    return start if len(rest) >= MIN_CORRECTED else None


_INTERJECTED = {"哦不", "啊不"}
SHORT_RESTATED = 6  # characters: 我问的是区别 / 我问的是天气, a question restated in a word or two


_NTH_PART = re.compile(
    r"第\s*([一二三四五六1-6])\s*(?:部分|个问题|个对比|组对比|节|块|大段|个板块|大点|大部分|大块|大问题|大标题)"
)
# 目录第一条 / 大纲里的第2项: the page's contents list, one entry a comparison
_CONTENTS_ENTRY = re.compile(
    r"(?:目录|大纲|导读|小标题)[里上中的\s]{0,3}第\s*([一二三四五六1-6])\s*(?:条|项|个|点|行)?"
)
# 第一部分里的第3小点 / 第一部分第1点: a point of that part, in the page's order of its dimensions
_NTH_POINT = re.compile(r"[里中的\s:：,，]{0,4}第\s*([一二三四五六1-6])\s*(?:小点|点|条|个方面|方面|小节)")
_MISSED = re.compile(r"[\s,，]*(?:你|您)?(?:还)?(?:漏了|漏掉|没答|没回|没有回|没说|忘了|跳过|被跳过|落下)")
_OWN_QUESTION = re.compile(r"回到|刚才|之前|我的|我问的|我那")
_NUMERALS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6}


def _page_parts(text: str) -> List[Tuple[int, int, str]]:
    """文章第三部分 → the title of the page's third comparison (the page's own order)."""
    titles = [c["title"] for c in load_kb().comparisons.values()]
    edits = []
    found = sorted([*_NTH_PART.finditer(text), *_CONTENTS_ENTRY.finditer(text)], key=lambda m: m.start())
    for m in found:
        if _OWN_QUESTION.search(text[max(0, m.start() - 4) : m.start()]) or (
            m.group(0).endswith("问题") and _MISSED.match(text, m.end())
        ):
            continue  # 回到第一个问题 / 第二个问题漏了: the visitor's own question, not the page's
        n = _NUMERALS.get(m.group(1)) or int(m.group(1))
        if n > len(titles):
            continue
        comparison = list(load_kb().comparisons.values())[n - 1]
        point = _NTH_POINT.match(text, m.end())
        labels = [d["label"] for d in comparison["dimensions"].values()]
        k = (_NUMERALS.get(point.group(1)) or int(point.group(1))) if point else 0
        if point and k <= len(labels):
            edits.append((m.start(), point.end(), f"{titles[n - 1]}的{labels[k - 1]}"))
        else:
            edits.append((m.start(), m.end(), titles[n - 1]))
    return edits


def fallback_person_spans(text: str) -> List[Span]:
    """The clauses asking for a person only should the assistant not know (……，你搞不清楚的话转人工):
    a condition and a person in one clause (`person_if_unanswered` in the glossary)."""
    g = glossary()["person_if_unanswered"]
    return [
        (s, e)
        for s, e in clause_spans(text)
        if any(c in text[s:e] for c in g["conditions"]) and any(p in text[s:e] for p in g["people"])
    ]


def _left_out(text: str) -> List[Span]:
    """The clauses the visitor asks to leave out (……，工作内容、定位那些就不用说了)."""
    cues = glossary()["leave_out"]
    spans = clause_spans(text)
    out = set()
    for i, (s, e) in enumerate(spans):
        if any(cue in text[s:e] for cue in cues):
            out.add(i)
            # 工作内容、定位那些就不用说了: the items listed before it go with it
            while i > 0 and text[spans[i - 1][1] : spans[i][0]].strip() == "、":
                i -= 1
                out.add(i)
    return [spans[i] for i in sorted(out)]


_ASIDE = re.compile(r"[（(][^（）()]*[\u4e00-\u9fffA-Za-z][^（）()]*[)）]")
MIN_WITHOUT_ASIDES = 6  # characters left that can still be a question


def _asides(text: str) -> List[Span]:
    """The spans of the text outside its bracketed asides, when there are asides and enough is left."""
    found = list(_ASIDE.finditer(text))
    if not found:
        return []
    kept, start = [], 0
    for m in found:
        if m.start() > start:
            kept.append((start, m.start()))
        start = m.end()
    if start < len(text):
        kept.append((start, len(text)))
    left = "".join(text[a:b] for a, b in kept)
    if not subject_mentions(left) and any(subject_mentions(m.group()) for m in found):
        return []  # max(['网络推广', '运营'], key=好就业) ↵ 这行输出啥: the brackets hold the roles asked about
    return kept if len(re.sub(r"[\W_]", "", left)) >= MIN_WITHOUT_ASIDES else []


def read(mapped: Mapped, context: Context = Context()) -> Reading:
    fixed = corrected(mapped.text)
    if fixed is not None:  # the correction replaces what came before it
        before = subject_mentions(mapped.text[:fixed])
        mapped = mapped.select([(fixed, len(mapped.text))])
        pair = _compared_pair({k for _, _, k in before})
        if pair and not subject_mentions(mapped.text) and not _find_references(mapped.text):
            # ……工作内容有啥不同，我是说每天具体负责的活: the roles it was said of
            mapped = mapped.edit([(0, 0, join_names(list(pair)) + "：")])
        clauses = clause_spans(mapped.text)
        said = lambda c: mapped.text[c[0] : c[1]].strip()  # noqa: E731
        if len(clauses) > 1 and len(said(clauses[0])) <= SHORT_RESTATED and said(clauses[1]).startswith("你"):
            # 我问的是区别，你列一堆横幅广告干嘛……: what they asked; the rest is about our reply
            mapped = mapped.select([clauses[0]])
    asides = _asides(mapped.text)
    if asides:  # 运营（不是市场，也不是推广）平时负责哪些工作: the asides are not the question
        mapped = mapped.select(asides, joiner="")
    fallback = fallback_person_spans(mapped.text)
    if fallback:  # 市场部是咋定义的，你搞不清楚的话转人工: the question, the person only if it goes unanswered
        kept = [c for c in clause_spans(mapped.text) if c not in fallback]
        if kept:
            mapped = mapped.select(kept, joiner="，")
    left_out = _left_out(mapped.text)
    if left_out:  # only the range of the page the visitor wants: the clauses they left out are not read
        kept = [c for c in clause_spans(mapped.text) if c not in left_out]
        if kept:
            mapped = mapped.select(kept, joiner="，")
    parts = _page_parts(mapped.text)
    if parts:
        mapped = mapped.edit(parts)
    text = mapped.text
    spans = [(0, len(text))]
    asked: List[str] = []
    if len(text) > SHORT_MESSAGE or len(sentences(text)) > 1:
        plain = questions(text)
        found = _with_what_they_lean_on(text, plain)
        if found:
            # a question read with the sentence it leans on keeps that sentence whole
            spans = [c for sp in found for c in (_asking_part(text, sp) if sp in plain else [sp])]
            asked = [text[s:e] for s, e in found]
    elif text:
        turn = _turns_to_another_role(text, _clauses(text, (0, len(text))))
        if turn is not None:
            spans = [(_clauses(text, (0, len(text)))[turn][0], len(text))]
    focus = mapped.select(spans, joiner="，") if spans != [(0, len(text))] else mapped
    # Roles the dropped story named, for 这两个岗位 / 它 in the question.
    earlier = [m for m in subject_mentions(text) if not any(s <= m[0] < e for s, e in spans)]
    # (and the last answer's pair: 推广的小人往楼外跑 after 网络推广和运营 is that 网络推广)
    qualified = _qualified_by_story(focus.text, earlier, text, context.pair)
    if qualified:  # 我们已经有电商运营了，……跟运营有啥不同: the story's 电商运营
        focus = focus.edit(qualified)
    in_focus_before = []
    edits, notes = [], []
    refs = [] if _parting(focus.text) else _find_references(focus.text, people=True)
    if refs:
        first_ref = refs[0][0]
        in_focus_before = [m for m in subject_mentions(focus.text) if m[1] <= first_ref]
        own = own_role(text) or context.own
        edits, notes = _resolve(focus.text, earlier + in_focus_before, replace(context, own=own))
    named_now = {k for _, _, k in subject_mentions(focus.text)}
    if (
        not edits
        and context.pair
        and len(named_now) < 2
        and named_now <= set(context.pair)
        and _CHECKS_PAGE.search(focus.text)
    ):
        # ……左边应该是运营吧？这页也是这么分的吗 after 运营和市场部门区别: a picture checked against that comparison
        edits = [(0, 0, join_names(list(context.pair)) + "：")]
        notes = [f"+{join_names(list(context.pair))}"]
    if not edits and context.pair and not subject_mentions(text) and not refs and _WHICH_IS_MORE.search(focus.text):
        # 那按这篇说，谁管得更宽 after 市场和运营: which of the pair just answered about
        edits = [(0, 0, join_names(list(context.pair)) + "：")]
        notes = [f"+{join_names(list(context.pair))}"]
    if not edits and context.pair and not subject_mentions(focus.text) and _BARE_DIFFERENCE.match(focus.text):
        # 我问的是区别 / 区别呢 after an answer: the difference of the pair just answered about
        edits = [(0, 0, join_names(list(context.pair)) + "的")]
        notes = [f"+{join_names(list(context.pair))}"]
    if not edits:
        other = _the_other_dimension(focus.text, text, context)
        if other:  # 你说范畴不一样，还有啥别的区别: the pair's dimension not yet said
            return Reading(focus.edit([(0, len(focus.text), other)]), asked, [f"={other}"])
    told_pair = _compared_pair({k for _, _, k in earlier})
    if (
        not edits
        and earlier
        and focus is not mapped
        and not subject_mentions(focus.text)
        and (
            _COMPARATIVE.search(focus.text)
            # 淘宝运营做烦了，想换去当推广专员。换过去之后每天干的活会变成什么样: the pair the story moves between
            or (told_pair and (dimensions_in(focus.text) or _CHANGE.search(focus.text)))
        )
    ):
        # 哪个更适合我？ after a story about two roles: the roles are the question's subject.
        keys = list(told_pair) if told_pair else list(dict.fromkeys(k for _, _, k in earlier))[:2]
        edits = [(0, 0, join_names(keys) + "：")]
        notes = [f"+{join_names(keys)}"]
    return Reading(focus.edit(edits) if edits else focus, asked, notes)


def _the_other_dimension(focus: str, whole: str, context: Context) -> Optional[str]:
    """The question asking for the one dimension of the pair other than the one said or just
    answered (昨天你说范畴不一样，还有啥别的区别吗), or None."""
    if not any(cue in focus for cue in glossary()["other_than_said"]):
        return None
    kb = load_kb()
    pair = _compared_pair({k for _, _, k in subject_mentions(whole)}) or context.pair
    comparison = kb.comparison_for(set(pair)) if pair else None
    if comparison in (None, "overview"):
        return None
    dims = list(kb.comparisons[comparison]["dimensions"])
    said = (dimensions_in(whole) | {context.dimension}) & set(dims)
    rest = [d for d in dims if d not in said]
    if not said or len(rest) != 1:
        return None
    return f"{join_names(list(pair))}在{kb.dimensions[rest[0]]['name']}上有什么区别"


def _qualified_by_story(
    focus: str, earlier: List[Tuple[int, int, str]], whole: str, known: Tuple[str, ...] = ()
) -> List[Tuple[int, int, str]]:
    """Edits naming a bare role of the question (运营) as the one qualified role of it the story before
    named (电商运营), or the one whose setting the message tells (开了家淘宝店: 淘宝运营)."""
    kb = load_kb()
    told = {k for _, _, k in earlier} | set(known)
    set_in = {k for k, s in kb.subjects.items() if any(w in whole for w in s.get("setting") or [])}
    named_here = {k for _, _, k in subject_mentions(focus)}
    edits = []
    for start, end, key in subject_mentions(focus):
        name = kb.subjects[key]["name"]
        # the role's own name, or a short word of it the fuller role ends with (推广 of 网络推广)
        bare = name if focus[start:end].endswith(name) else focus[start:end] if end - start <= 2 else None
        compared = {kb.comparison_for({key, k}) for k in named_here - {key}} - {None}
        if bare is None or compared - ({"overview"} if set_in or known else set()):
            continue  # ……网络推广和运营的区别到底是啥: a pair the page compares as it is
        fuller = {k for k in told | set_in if k != key and kb.subjects[k]["name"].endswith(bare)}
        if len(fuller) == 1 and not fuller & named_here:  # 做运营 → 做淘宝运营
            edits.append((end - len(bare), end, kb.subjects[fuller.pop()]["name"]))
    return edits


def _parting(text: str) -> bool:
    """懂了，我回去转给他们看，拜拜: thanks or a goodbye asking nothing; its 他们 are people, not roles."""
    cues = glossary()["small_talk_cues"]
    return not is_question(text) and any(c in text.lower() for kind in ("goodbye", "thank") for c in cues[kind])


def _with_what_they_lean_on(text: str, found: List[Span]) -> List[Span]:
    """A question that leans on the sentence before it (see `_continues`) is read with it."""
    if not found:
        return found
    spans = sentences(text)
    out: List[Span] = []
    for sp in found:
        before = [p for p in spans if p[1] <= sp[0]]
        if out and out[-1][1] <= sp[0] and _announces(text[out[-1][0] : out[-1][1]]):
            sp = (out.pop()[0], sp[1])  # the announcement and the question it announces
        elif before and _continues(text[before[-1][0] : before[-1][1]], text[sp[0] : sp[1]]):
            start = before[-1][0]
            # the sentence before may itself have been joined to the one before it
            start = min([start] + [o[0] for o in out if o[1] > start])
            out = [o for o in out if o[1] <= start]
            sp = (start, sp[1])
        out.append(sp)
    if out:
        after = [p for p in spans if p[0] >= out[-1][1]]
        following = text[after[0][0] : after[0][1]] if after else ""
        if following and (_narrows(following) or _compared_with(following) or _alternatives(following)):
            # ……天赋点该往哪加？就是能力要求那块 / ……对吧？跟运营比的话 / ……是啥联系？是一个包着另一个，还是平级的
            out[-1] = (out[-1][0], after[0][1])
    return out


def _alternatives(sentence: str) -> bool:
    """是一个包着另一个，还是平级的: after a question, the answers it offers to choose from."""
    stripped = sentence.strip(" ，,。.！!～~")
    return "还是" in stripped and not subject_mentions(stripped) and not is_question(stripped, weak=False)


def _compared_with(sentence: str) -> bool:
    """跟运营比的话 / 相比电商运营: after a question, the role it is asked against."""
    stripped = sentence.strip(" ，,。.！!～~")
    return (
        len(stripped) <= SHORT_MESSAGE
        and bool(_COMPARED_WITH.match(stripped))
        and bool(subject_mentions(stripped))
        and not is_question(stripped, weak=False)
    )


def _narrows(sentence: str) -> bool:
    """就是能力要求那块 / 我只想弄清范畴上的关系: a statement after a question saying which dimension
    it asks about."""
    stripped = sentence.strip(" ，,。.！!～~")
    return (
        any(stripped.startswith(cue) for cue in glossary()["narrows_before"])
        and bool(dimensions_in(stripped))
        and not is_question(stripped, weak=False)
    )


def _asking_part(text: str, span: Span) -> List[Span]:
    """A long question sentence without its story clauses (我家开了个淘宝店，……有什么区别), and any
    question sentence without the statement it turns from (推广专员重在销售，那市场部呢)."""
    clauses = _clauses(text, span)
    turn = _turns_to_another_role(text, clauses)
    if turn is not None:
        return [(clauses[turn][0], span[1])]
    if span[1] - span[0] <= LONG_SENTENCE:
        return [span]
    asking = [i for i, c in enumerate(clauses) if is_question(text[c[0] : c[1]], weak=False)] or [
        i for i, c in enumerate(clauses) if is_question(text[c[0] : c[1]])
    ]
    if not asking:
        return [span]
    first = asking[0]
    # Keep the clause before the first asking one when it names the roles asked about, or when
    # the question alone says nothing (……晚上老睡不着，有没有什么好办法？).
    asked = text[clauses[first][0] : clauses[asking[-1]][1]]
    if first > 0 and not subject_mentions(asked) and not _find_references(asked):
        # back to the nearest clause naming a role (讲新媒体推广的特点，我没细看，主要是哪几个特点?),
        # or one clause when the question alone says nothing
        naming = [
            i for i in range(first - 1, max(-1, first - 4), -1) if subject_mentions(text[clauses[i][0] : clauses[i][1]])
        ]
        if leans_on_before(asked) or _THIS_TOLD.search(asked):
            # X的定位是…，Y只管卖货，我没记错吧 / ……推广的小人往楼外跑，运营的小人在楼里忙活，说的就是这个区别吧:
            # the whole claim or picture is what is checked
            first = 0
        elif naming:
            first = naming[0]
        elif _POINTS_BACK.match(asked):
            first = 0  # 用户从知道一个app到注册……，这整个过程每一步叫什么: the story is what 这 means
        elif len(asked) <= VAGUE_QUESTION:
            first -= 1
    elif first > 0 and dimensions_in(text[clauses[first - 1][0] : clauses[first - 1][1]]):
        first -= 1  # 工作总定位上，淘宝运营和推广专员分别重在什么: the clause names what is asked
    if first > 0 and _THIS_SAYING.match(text[clauses[first][0] : clauses[first][1]]):
        first -= 1  # 领导老说我们市场部“务虚”，这话到底啥意思，跟运营比差在哪: what 这话 is
    if first > 0 and _LENS.match(text[clauses[first - 1][0] : clauses[first - 1][1]]):
        first -= 1  # 单论好不好就业，网络推广和运营哪个强: the clause says what the question weighs
    if first > 0 and text[clauses[first][0] : clauses[first][1]].lstrip().startswith("还是"):
        first -= 1  # 这东西是市场的人更在意，还是运营的人更在意: one question, both alternatives
    premise = [i for i in range(first) if text[clauses[i][0] : clauses[i][1]].lstrip().startswith("既然")]
    if premise:
        first = premise[0]  # 既然市场偏务虚，那翻过来是不是说运营一点都不虚: the premise is asked about
    keep = clauses[first : asking[-1] + 1]
    return [(keep[0][0], keep[-1][1])]


# what the story just told (……说的就是这个区别吧 / 是这个意思不)
_THIS_TOLD = re.compile(
    r"(?:这|那)(?:个|种|样的)?(?:区别|分法|意思|说法|比喻)|这么分|这样分|[跟和与](?:你|您|页面|文章|这页)(?:说|讲|写)的"
)
# a question that points back at what the sentence described (这整个过程 / 这一路 / 这种情况)
# (……到最后掏钱，中间要经过哪几步: 中间 is between the ends the story named)
_POINTS_BACK = re.compile(r"\s*(?:(?:这|那)(?!里|边|么|样的话)|中间|当中|其间)")
# a next sentence asking about the story just told (这一路 / 这整个过程 / 这种情况)
_POINTS_AT_STORY = re.compile(
    r"\s*(?:这|那)(?:一路|整个|个过程|一过程|一系列|种情况|种现象|一连串|是不是|算不算|到底算|到底是|难道|样切|样分|样划|样安排|样理解)"
)
# a short next sentence judging what the story said (这说得通吗 / 这样安排合理吗 / 这正常吗)
_JUDGES_STORY = re.compile(
    r"\s*(?:这|那)(?:样|么)?(?:做|干|安排|搞|分)?[^，,。？?！!]{0,6}?"
    r"(?:说得通|讲得通|行得通|说不通|讲不通|合理|正常|靠谱|站得住|有道理|没道理|对吗|对不对|没问题|有问题)"
)
_COMPARED_WITH = re.compile(r"\s*(?:那|可|但)?\s*(?:跟|和|与|同|比|相比|对比)")
_POINTS_AT_LINE = re.compile(
    r"(?:这|上面这|上面那|上一)(?:行|一行|段代码|句代码|行代码)|这(?:么|样)(?:划|分|切|安排|理解|归)"
)
_TURN = re.compile(r"\s*(?:那么|那)(?!些|个|种|样|里|边|时|么多)")


@lru_cache(maxsize=1)
def _dimension_terms() -> List[Tuple[str, str]]:
    kb = load_kb()
    terms = {normalize_mapped(a).text: k for k, d in kb.dimensions.items() for a in [d["name"], *d.get("aliases", [])]}
    return sorted(((t, k) for t, k in terms.items() if len(t) > 1), key=lambda kv: -len(kv[0]))


def dimensions_in(text: str) -> set:
    return {key for term, key in _dimension_terms() if term in text}


def _turns_to_another_role(text: str, clauses: List[Span]) -> Optional[int]:
    """The clause where a question turns from what one role does to the same of another role
    (X的定位是重在销售，那Y的定位是什么): that clause and what follows are the question."""
    for i in range(1, len(clauses)):
        clause = text[clauses[i][0] : clauses[i][1]]
        said = text[clauses[0][0] : clauses[i - 1][1]]
        if not _TURN.match(clause) or is_question(said, weak=False):
            continue
        here = {k for _, _, k in subject_mentions(clause)}
        before = {k for _, _, k in subject_mentions(said)}
        # 运营是对内的，那推广就是对外的？ checks a claim turned round (no question word): read whole
        claim = not is_question(clause.rstrip("?？ "), weak=False)
        if here and before and not here & before and dimensions_in(clause) & dimensions_in(said) and not claim:
            return i
    return None


def separate_questions(text: str) -> List[str]:
    """The questions of a message that asks two things (in the visitor's own words), else []."""
    if len(text) > 400:
        return []
    normalized = normalize_mapped(text)
    t = normalized.text
    if corrected(t) is not None:
        return []  # one question, corrected: read() keeps what follows the correction
    found = _same_of_another_role(t, _with_what_they_lean_on(t, questions(t)))
    if len(found) < 2:
        return []
    header = t[: found[0][0]]
    if subject_mentions(header) and not subject_mentions(t[found[0][0] : found[0][1]]):
        found[0] = (0, found[0][1])  # 关于新媒体推广问三个：1）…: the list's roles are in its header
    parts = []
    for s, e in found[:3]:
        while e > s and t[e - 1] in "；;":  # a list marker turned sentence end belongs to the next part
            e -= 1
        a, b = normalized.original_span(s, e)
        part = text[a:b].strip(" ，,。")
        if part:
            parts.append(_with_roles_named_before(part, t[:s]))
    return parts if len(parts) >= 2 else []


def _with_roles_named_before(part: str, before: str) -> str:
    """……推广专员会不会没底线？它的工作总定位是啥: the part, read alone, says whom 它 means;
    ……市场的软肋在这儿？跟运营比起来差在哪: and who is compared with 运营."""
    # 网络推广和运营哪个好就业？推广和运营区别是啥: the bare 推广 is the fuller role just named
    earlier = subject_mentions(before)
    for start, end, new in sorted(
        _qualified_by_story(part, earlier, part, tuple(k for _, _, k in earlier)), reverse=True
    ):
        part = part[:start] + new + part[end:]
    named = {k for _, _, k in subject_mentions(part)}
    if len(named) == 1 and _COMPARED_WITH.match(part):
        earlier = [k for _, _, k in subject_mentions(before) if k not in named]
        if earlier and load_kb().comparison_for({earlier[-1], *named}) not in (None, "overview"):
            return join_names([earlier[-1]]) + part
    if named or not _find_references(part):
        return part
    edits, _ = _resolve(part, subject_mentions(before), Context(), conversation_known=False)
    for start, end, new in sorted(edits, reverse=True):
        part = part[:start] + new + part[end:]
    return part


def _same_of_another_role(text: str, found: List[Span]) -> List[Span]:
    """Questions of one message that are one question about one pair of roles:
    - 运营是偏务实还是偏务虚？市场呢？: the short 市场呢 asks the same of the other role;
    - ……是不是分别该淘宝运营和推广专员来干？两者工作内容怎么划: the later names a dimension of the pair
      the earlier named, referring to them both;
    - 电商运营不就等于做完了吗？何必还单独分个新媒体推广出来: one role each, the pair the page compares,
      and how they relate."""
    kb = load_kb()
    out: List[Span] = []
    for s, e in found:
        if out:
            earlier, later = text[out[-1][0] : out[-1][1]], text[s:e]
            before = {k for _, _, k in subject_mentions(earlier)}
            named = {k for _, _, k in subject_mentions(later.strip(" ，,。?？"))}
            part = later.strip(" ，,。?？")
            same_of_other = part.endswith("呢") and len(part) < TAKE_OVER_LENGTH and len(named) == 1
            # 推广 beside 推广专员 / 跟推广专员比 after a question about 淘宝运营: one compared pair in all
            both_refer = (
                any(kind == "both" for _, _, kind in _find_references(later))
                and dimensions_in(later)
                and not dimensions_in(earlier)
            )
            related = any(cue in earlier + later for cue in glossary()["relation_cues"])
            if (
                (same_of_other and len(before) == 1 and before != named)
                or (both_refer and _compared_pair(before | named) is not None)
                or (
                    related
                    and len(before) == len(named) == 1
                    and kb.comparison_for(before | named) not in (None, "overview")
                )
            ):
                out[-1] = (out[-1][0], e)
                continue
        out.append((s, e))
    return out


def compared_pair_named(text: str) -> Optional[Tuple[str, str]]:
    """The one pair the page compares among the roles a text names."""
    return _compared_pair({k for _, _, k in subject_mentions(normalize_mapped(text).text)})


def _compared_pair(keys: set) -> Optional[Tuple[str, str]]:
    """The one pair among these roles that the page compares (直通车推广 beside 淘宝运营和推广专员)."""
    kb = load_kb()
    pairs = [p for p in combinations(sorted(keys), 2) if kb.comparison_for(set(p)) not in (None, "overview")]
    if not pairs:  # 淘宝运营 and 推广: 推广 stands for 推广专员
        stand_ins = {kb.stand_in_comparison(p) for p in combinations(sorted(keys), 2)} - {None}
        pairs = [tuple(kb.comparisons[c]["subjects"]) for c in stand_ins]
    return pairs[0] if len(pairs) == 1 else None


def join_names(keys: Sequence[str]) -> str:
    kb = load_kb()
    return "和".join(kb.subjects[k]["name"] for k in keys)
