"""The page as an index: every statement, heading, label and alias of the knowledge base,
searchable by the characters a visitor types.

A section is what one answer covers: a comparison (its title, summary and roles), one
dimension of a comparison (its label and both sides' statements), or a fact (its title,
statements, items, steps and evidence words). Text is compared as words (jieba, with every
term of the knowledge base in its dictionary, after the glossary's normalisation to
Simplified Mandarin), weighted by how rare a word is across sections, so 务实 counts for more
than 运营, and a word no section holds (天气) counts most of all: the page does not say it.

- `quoted(text)`: the section a quotation of the page comes from (“运营偏向务实…” 这话怎么理解).
- `search(text)`: the sections a question is most about, best first, with scores in 0..1
  (the share of the question's rare character pairs that the section holds).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, List, Optional, Tuple

from assistant.kb import KnowledgeBase, load_kb
from assistant.wording import glossary, normalize

QUOTES = re.compile(r"[“\"「『‘']([^”\"」』’']{2,})[”\"」』’']")
_NOT_TEXT = re.compile(r"[\s,.!?;:，。！？；：、()（）《》\"'“”‘’「」『』\-—~…·*]+")
_AND = re.compile(r"[与跟同及]")
MIN_QUOTE_COVERAGE = 0.6  # of a quotation's pairs found in one section's statements
# A list in a message: a clause of items joined by 、 (and 和 / 及 / 与 between them)
_LIST_CLAUSE = re.compile(r"[^，,。？?！!；;：:\n]*、[^，,。？?！!；;：:\n]*")
_LIST_SEPARATOR = re.compile(r"、|以及|和|及|与")
_TITLE_INSIDE = re.compile(r"《[^》]*》")  # 《市场部到底该做什么?》: its ? ends no clause
MIN_LISTED, MIN_LISTED_OF_ONE = 3, 2
# A blank to fill in: a run of underscores, empty brackets, or a run of ○ / □ / ？ placeholders.
BLANKS = re.compile(r"_{2,}|＿+|[（(]\s*[)）]|[（(]\s*[?？]*\s*[)）]|[○□]{2,}|…{2,}|\.{4,}")
_BLANK_SENTENCE_START = re.compile(r"[:：。！？!?\n]")
_BLANK_SENTENCE_END = re.compile(r"[。！？!?\n]")
MIN_FILLED_PAIRS = 4
# A pasted line: cut at sentence ends and arrows (←这一段), at least this long and this much the page's.
_PASTED_LINE = re.compile(r"[^。！？!?\n←→…：:]+[。！？!?]?")
ASKING_MARK = re.compile(r"[?？吗呢]")
MIN_PASTED_PAIRS, MIN_PASTE_COVERAGE, MIN_PASTED_SAID = 8, 0.8, 5
MIN_EXAMPLE_WORDS = 2  # words of one section's examples a message names to ask about them
# Pairs every question has (question words, politeness): they say nothing of a section.
ASKING = set(
    "什么 怎么 怎样 么样 哪个 哪些 有什 是什 一下 请问 问一 问下 这个 那个 可以 能不 不能 知道 想知 想问 是不 不是 有没 没有 的区 区别 别是 和的"
    # asking how two things differ says nothing of which section: 不同之处 is the whole comparison
    " 不同 之处 不同之处 差别 差异 异同 打扰 麻烦 谢谢 有劳".split()
)


@dataclass(frozen=True)
class Section:
    key: str  # comparison key, "comparison.dimension", or the fact key
    intent: str  # the intent that asks for it
    comparison: Optional[str] = None
    dimension: Optional[str] = None
    fact: Optional[str] = None
    statements: str = ""  # what the page says there
    words: str = ""  # headings, labels, roles and evidence words


@lru_cache(maxsize=1)
def _segmenter():
    import jieba

    segmenter = jieba.Tokenizer()
    for term in load_kb().all_terms():
        segmenter.add_word(normalize(term))
    return segmenter


def words(text: str) -> List[str]:
    """The text's words of two characters or more (a single character says too little), with the
    shorter words inside long ones (市场部门: 市场, 部门)."""
    runs = [run for run in _NOT_TEXT.split(text.lower()) if run]
    return [w for run in runs for w in _segmenter().lcut_for_search(run, HMM=False) if len(w) > 1]


def pairs(text: str) -> List[str]:
    """Character pairs of the text's runs of letters (punctuation and spaces cut runs)."""
    out = []
    for run in _NOT_TEXT.split(text.lower()):
        out += [run[i : i + 2] for i in range(len(run) - 1)] if len(run) > 1 else [run] if run else []
    return out


def _sections(kb: KnowledgeBase) -> Iterable[Section]:
    def role_names(keys) -> str:
        return " ".join(" ".join(kb.subject_names(k)) for k in keys)

    for key, comp in kb.comparisons.items():
        roles = role_names(comp["subjects"])
        lines = [comp.get("summary") or ""] + [
            line.get("text") or "" for line in kb.overview["lines"] if line.get("comparison") == key
        ]
        labels = " ".join(entry["label"] for entry in comp["dimensions"].values())
        yield Section(
            key, "ask_difference", comparison=key, statements=" ".join(lines), words=f"{comp['title']} {roles} {labels}"
        )
        for dim, entry in comp["dimensions"].items():
            names = (
                " ".join([kb.dimensions[dim]["name"], *kb.dimensions[dim].get("aliases", [])])
                if dim in kb.dimensions
                else dim
            )
            said = " ".join([entry.get("both") or "", *entry["sides"].values()])
            yield Section(
                f"{key}.{dim}",
                "ask_dimension",
                comparison=key,
                dimension=dim,
                statements=said,
                words=f"{entry['label']} {names} {roles}",
            )
    for key, fact in kb.facts.items():
        said = " ".join(
            [fact.get("text") or ""]
            + [
                i["text"] if fact.get("labels_name_others") else f"{i.get('label', '')} {i['text']}"
                for i in fact.get("items", []) + fact.get("steps", [])
            ]
        )
        yield Section(
            key,
            fact["intent"],
            fact=key,
            statements=said,
            words=f"{fact['title']} {' '.join(fact.get('evidence', []))}",
        )


class PageIndex:
    def __init__(self, kb: KnowledgeBase):
        self.sections = list(_sections(kb))
        self._statements = [normalize(s.statements).lower() for s in self.sections]
        self._said = [Counter(pairs(text)) for text in self._statements]
        # what the page shows of each section, headings included: what a visitor can paste
        shown = [f"{_heading(kb, section)} {text}" for section, text in zip(self.sections, self._statements)]
        self._shown = [Counter(pairs(normalize(text).lower())) for text in shown]
        self._all = [Counter(words(normalize(f"{s.statements} {s.words}"))) for s in self.sections]
        holders = Counter(p for counts in self._all for p in counts)
        n = len(self.sections)
        self.idf = {p: math.log((n + 1) / (k + 0.5)) for p, k in holders.items()}
        self.unseen = math.log((n + 1) / 0.5)  # a word no section holds: the page does not say it
        self.roles = {w for k in kb.subjects for name in kb.subject_names(k) for w in words(normalize(name))}

    def _coverage(self, query: List[str], counts: Counter, ignore: frozenset = frozenset()) -> float:
        weights = [0.0 if p in ASKING or p in ignore else self.idf.get(p, self.unseen) for p in query]
        total = sum(weights)
        if not any(weights) or (len([w for w in weights if w]) < 2 and max(weights) < self.unseen / 2):
            # 好的, 嗯: too little to say what it is about
            return 0.0
        return sum(w for p, w in zip(query, weights) if p in counts) / total

    def quoted(self, text: str) -> Optional[Tuple[Section, float]]:
        """The section whose statements a quotation in the text comes from, if any."""
        best, best_rank = None, None
        for quote in QUOTES.findall(text):
            if load_kb().subject_key(normalize(quote)):
                continue  # 岗位有“电商运营”和“新媒体推广”: a role's name quoted is no quotation of the page
            titled = self._titled(normalize(quote))
            if titled is not None:  # “淘宝运营和推广专员的区别”: the section by its own title
                return titled, 1.0
            query = pairs(normalize(quote))
            if len(query) < 4:
                term = self._term(normalize(quote).lower())
                if term and (best_rank is None or (1.0, 3) > best_rank):
                    best, best_rank = (term, 1.0), (1.0, 3)
                continue
            found = self._quoted_section(query)
            if found and (best_rank is None or found[1] > best_rank):
                best, best_rank = found[0], found[1]
        return best

    def pasted(self, text: str) -> Optional[Tuple[Section, float]]:
        """The section a line pasted from the page without quotation marks comes from (新媒体推广的相关特点:
        1、传播行为更加个性化…… 这一段几条): a statement, not a question, nearly all of it the page's words."""
        for sentence in _PASTED_LINE.findall(text):
            if ASKING_MARK.search(sentence):  # its own question mark included
                continue
            query = pairs(normalize(sentence).lower())
            if len(query) < MIN_PASTED_PAIRS:
                continue
            shares = [sum(1 for p in query if p in shown) / len(query) for shown in self._shown]
            best = max(range(len(shares)), key=shares.__getitem__)
            # more than a heading and the roles' names: the page's own sentence (not 淘宝运营和推广专员的区别)
            said = pairs(_role_names().sub(" ", normalize(sentence).lower()))
            if shares[best] >= MIN_PASTE_COVERAGE and sum(p in self._said[best] for p in said) >= MIN_PASTED_SAID:
                return self.sections[best], shares[best]
        return None

    def _quoted_section(self, query: List[str]) -> Optional[Tuple[Tuple[Section, float], tuple]]:
        """((section, share), rank) of the section whose statements hold most of the quoted pairs."""
        best, best_rank = None, None
        for section, said in zip(self.sections, self._said):
            hits = sum(1 for p in query if p in said) / len(query)
            # A statement said in several places is the comparison's: one dimension of it first,
            # then the comparison, then a fact that repeats it.
            rank = (round(hits, 6), 2 if section.dimension else 1 if section.comparison else 0)
            if hits >= MIN_QUOTE_COVERAGE and (best_rank is None or rank > best_rank):
                best, best_rank = (section, hits), rank
        return (best, best_rank) if best else None

    def listed(self, text: str) -> Optional[Tuple[Section, float]]:
        """The section most items of a list in the text come from (笔记上记的网络广告形式有 Banner广告、关键词广告、
        开屏广告、分类广告…其中哪个文章没提): three or more items, two or more of them the words of one section
        (≥ 60 % of an item's pairs), and more of them than of any other section."""
        read = _TITLE_INSIDE.sub(lambda m: _NOT_TEXT.sub("", m.group()), normalize(text).lower())
        best: Optional[Tuple[Section, float]] = None
        for clause in _LIST_CLAUSE.findall(read):
            items = [i for i in _LIST_SEPARATOR.split(clause) if len(_NOT_TEXT.sub("", i)) > 1]
            # roles and dimensions named in a list (定位、内容、能力) are headings, not the page's items
            items = [i for i in items if not _role_names().fullmatch(_NOT_TEXT.sub("", i))]
            items = [i for i in items if _NOT_TEXT.sub("", i) not in _dimension_names()]
            if len(items) < MIN_LISTED:
                continue
            hits = Counter()
            for item in items:
                query = pairs(item)
                for section, said in zip(self.sections, self._said):
                    if sum(1 for p in query if p in said) >= MIN_QUOTE_COVERAGE * len(query):
                        hits[section.key] += 1
            ranked = hits.most_common(2)
            if not ranked or ranked[0][1] < MIN_LISTED_OF_ONE or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
                continue
            section = next(s for s in self.sections if s.key == ranked[0][0])
            share = ranked[0][1] / len(items)
            if best is None or share > best[1]:
                best = (section, share)
        return best

    def filled(self, text: str) -> Optional[Tuple[Section, float]]:
        """The section a fill-in-the-blank sentence comes from (运营偏向____，市场偏向____ / 注重计划、
        （  ）、实施): the words around the blanks read as a quotation of it."""
        blanks = list(BLANKS.finditer(text))
        if not blanks:
            return None
        starts = [m.end() for m in _BLANK_SENTENCE_START.finditer(text, 0, blanks[0].start())]
        start = max(starts, default=0)
        end_mark = _BLANK_SENTENCE_END.search(text, blanks[-1].end())
        around = text[start : end_mark.start() if end_mark else len(text)]
        if not text[start : blanks[0].start()].strip():
            # ……是创造和管理消费者有形价值的部门。（  ）对还是错: the bracket answers the sentence before
            around = text[max(starts[:-1], default=0) : blanks[0].start()]
        query = [p for piece in BLANKS.split(around) for p in pairs(normalize(piece))]
        if len(query) < MIN_FILLED_PAIRS:
            return None
        found = self._quoted_section(query)
        return found[0] if found else None

    def _titled(self, quote: str) -> Optional[Section]:
        """The comparison or fact whose title the quotation is."""
        kb = load_kb()
        titles = {k: c["title"] for k, c in kb.comparisons.items()} | {k: f["title"] for k, f in kb.facts.items()}

        def bare(text: str) -> str:  # 市场与运营的相似之处 is the title 市场和运营的相似之处
            return _AND.sub("和", _NOT_TEXT.sub("", text.lower()))

        keys = [k for k, title in titles.items() if bare(normalize(title)) == bare(quote)]
        # “电商运营和新媒体推广，运营范畴不同”: a comparison's title with one of its headings
        keys += [
            f"{k}.{d}"
            for k, c in kb.comparisons.items()
            for d, dim in c["dimensions"].items()
            if bare(normalize(c["title"] + dim["label"])) == bare(quote)
            or bare(normalize(c["title"].removesuffix("的区别") + dim["label"])) == bare(quote)
        ]
        return next((s for s in self.sections if keys and s.key == keys[0]), None)

    def example(self, text: str) -> Optional[Section]:
        """The section whose examples a message names to ask about them (那瓶果汁、比星巴克还贵的那个
        例子想说明什么): it says an example cue, and its words that the page's dimensions and facts
        say vote for them (a word k of them say counts 1/k); the one far ahead is the section."""
        read = normalize(text).lower()
        if not any(cue in read for cue in glossary()["follow_up_acts"]["example"]):
            return None
        said = set(words(read)) - self.roles
        votes: Counter = Counter()
        for word in said:
            if any(word != other and word in other for other in said):
                continue  # 巴克 inside 星巴克 is one word named, not two
            holders = [
                s for s, text in zip(self.sections, self._statements) if word in text and (s.dimension or s.fact)
            ]
            for holder in holders:  # a word two sections say is half a vote for each
                votes[holder.key] += 1 / len(holders)
        ranked = votes.most_common(2) + [(None, 0), (None, 0)]
        (best, count), (_, second) = ranked[0], ranked[1]
        if count < MIN_EXAMPLE_WORDS or count < 2 * second:
            return None
        return next(s for s in self.sections if s.key == best)

    def _term(self, term: str) -> Optional[Section]:
        """The one dimension or fact whose statements (or decisive words) hold a short quoted term (“大局观”指什么)."""
        holders = [s for s, text in zip(self.sections, self._statements) if term in text and (s.dimension or s.fact)]
        if not holders:  # ‘扩展资料’下面那三条: a fact's own decisive words, though the page shows them as a heading
            facts = [k for k, f in load_kb().facts.items() if term in (f.get("decisive") or [])]
            holders = [s for s in self.sections if len(facts) == 1 and s.fact == facts[0]]
        return holders[0] if len(holders) == 1 else None

    def search(self, text: str, limit: int = 3, without_roles: bool = False) -> List[Tuple[Section, float]]:
        """`without_roles`: what the question asks of the roles it names, whichever they are."""
        query = words(normalize(text))
        ignore = frozenset(self.roles) if without_roles else frozenset()
        scored = [(section, self._coverage(query, counts, ignore)) for section, counts in zip(self.sections, self._all)]
        scored.sort(key=lambda item: -item[1])
        return scored[:limit]


@lru_cache(maxsize=1)
def _dimension_names() -> frozenset:
    kb = load_kb()
    return frozenset(normalize(a).lower() for d in kb.dimensions.values() for a in [d["name"], *d["aliases"]])


@lru_cache(maxsize=1)
def _role_names() -> re.Pattern:
    names = sorted(load_kb().names_of_subjects(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, (normalize(n).lower() for n in names))))


def _heading(kb: KnowledgeBase, section: Section) -> str:
    if section.fact:
        return kb.facts[section.fact]["title"]
    comparison = kb.comparisons[section.comparison]
    return comparison["dimensions"][section.dimension]["label"] if section.dimension else comparison["title"]


@lru_cache(maxsize=1)
def load_index() -> PageIndex:
    return PageIndex(load_kb())
