"""Loads kb/knowledge_base.yml, what the page says, checked against assistant/kb_schema.py, and
answers look-ups on it. The assistant's own words are in assistant/phrasebook.py."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import yaml

from assistant.kb_schema import validated_kb
from assistant.pinyin_input import pinyin_edits
from assistant.text import TypoCorrector
from assistant.wording import normalize

ROOT_DIR = Path(__file__).resolve().parent.parent
KB_PATH = ROOT_DIR / "kb" / "knowledge_base.yml"


@dataclass(frozen=True, eq=False)  # hashed by identity, for the caches below
class KnowledgeBase:
    data: dict

    # --- plain accessors --------------------------------------------------
    @property
    def contacts(self) -> dict:
        return self.data["contacts"]

    @property
    def subjects(self) -> dict:
        return self.data["subjects"]

    @property
    def dimensions(self) -> dict:
        return self.data["dimensions"]

    @property
    def comparisons(self) -> dict:
        return self.data["comparisons"]

    @property
    def facts(self) -> dict:
        return self.data["facts"]

    @property
    def overview(self) -> dict:
        return self.data["overview"]

    @property
    def gaps(self) -> dict:
        """What visitors ask that the page does not say (薪资, 证书, 直播带货 …)."""
        return self.data.get("gaps") or {}

    def subject_names(self, key: str) -> list[str]:
        """A subject's name and aliases, as the page and visitors write it."""
        return [self.subjects[key]["name"], *self.subjects[key]["aliases"]]

    def names_of_subjects(self) -> dict[str, str]:
        """Every name of every subject (two characters or more), to its subject's key."""
        return _names_of_subjects(self)

    def gap_key(self, surface: str | None) -> str | None:
        return _alias_index(self, "gaps").get(_fold(surface))

    # --- canonical keys from what the visitor wrote --------------------------
    def subject_key(self, surface: str | None) -> str | None:
        return _alias_index(self, "subjects").get(_fold(surface))

    def dimension_key(self, surface: str | None) -> str | None:
        return _alias_index(self, "dimensions").get(_fold(surface))

    def fact_supported(self, key: str, text: str) -> bool:
        """Whether a question (normalised text) holds one of the fact's evidence words, not negated
        (有啥不一样 holds 一样, but asks the opposite)."""
        words = self.facts[key].get("evidence")
        return not words or any(_said(w, text) for w in words)

    def evidence_hits(self, key: str, text: str, ignore: set = frozenset()) -> int:
        """How many of the fact's evidence words (but those in `ignore`) the text says, not negated."""
        return sum(1 for w in self.facts[key].get("evidence") or [] if w not in ignore and _said(w, text))

    def decisive_fact(self, comparison: str, text: str) -> str | None:
        """The fact of this comparison whose decisive words the question says, not negated."""
        found = [
            k
            for k, f in self.facts.items()
            if f.get("comparison") == comparison and any(_said(w, text) for w in f.get("decisive") or [])
        ]
        return found[0] if len(found) == 1 else None

    def decisive_comparison(self, comparison: str, text: str) -> bool:
        """Whether the question says one of the comparison's decisive words (谁偏实), not negated."""
        return any(_said(w, text) for w in (self.comparisons.get(comparison) or {}).get("decisive") or [])

    def fact_negated(self, key: str, text: str) -> bool:
        """Whether the question holds the fact's words only negated (有啥不一样 for the common ground)."""
        words = self.facts[key].get("evidence") or []
        return any(w in text for w in words) and not any(_said(w, text) for w in words)

    def fact_for_intent(self, intent: str) -> str | None:
        return next((k for k, f in self.facts.items() if f["intent"] == intent), None)

    # --- comparisons ------------------------------------------------------------
    def comparison_for(self, subjects: set[str]) -> str | None:
        """The comparison (or 'overview') whose two subjects are exactly these."""
        if set(self.overview["subjects"]) == subjects:
            return "overview"
        return next((k for k, c in self.comparisons.items() if set(c["subjects"]) == subjects), None)

    def stand_in_comparison(self, subjects: Iterable[str]) -> str | None:
        """A title word (推广, 运营) beside a role the page compares stands for that role's partner
        whose name holds it: 淘宝运营 and 推广 is 淘宝运营 and 推广专员; 推广专员 and 运营 likewise."""
        subjects = list(subjects)
        generic = [s for s in subjects if s in self.overview["subjects"]]
        specific = [s for s in subjects if s not in self.overview["subjects"]]
        if len(generic) != 1 or len(specific) != 1:
            return None
        names = [self.subjects[generic[0]]["name"], *self.subjects[generic[0]]["aliases"]]
        fits = [
            key
            for key in self.comparisons_with(specific[0])
            for side in self.comparisons[key]["subjects"]
            if side != specific[0] and any(len(n) > 1 and n in self.subjects[side]["name"] for n in names)
        ]
        return fits[0] if len(set(fits)) == 1 else None

    def comparison_of_setting(self, text: str) -> str | None:
        """The one comparison of the one role whose setting the text tells (我在淘宝开小店: 淘宝运营's)."""
        roles = [k for k, s in self.subjects.items() if any(w in text for w in s.get("setting") or [])]
        owned = self.comparisons_with(roles[0]) if len(roles) == 1 else []
        return owned[0] if len(owned) == 1 else None

    def comparisons_with(self, subject: str) -> list[str]:
        return [k for k, c in self.comparisons.items() if subject in c["subjects"]]

    def comparisons_with_dimension(self, dimension: str) -> list[str]:
        return [k for k, c in self.comparisons.items() if dimension in c["dimensions"]]

    # --- vocabulary for the NLU assets -------------------------------------------
    def entity_terms(self) -> Iterator[tuple[str, str, str]]:
        """(label, canonical key, surface) for every alias the NLU should recognise."""
        for label, table in (("subject", self.subjects), ("dimension", self.dimensions)):
            for key, entry in table.items():
                for alias in entry["aliases"]:
                    yield label, key, alias
        for alias in self.data["services"]["aliases"]:
            yield "service", alias, alias
        for key, entry in self.gaps.items():
            for alias in entry["aliases"]:
                yield "gap", key, alias

    def all_terms(self) -> list[str]:
        return sorted({t for _, _, t in self.entity_terms()} | set(self.data["vocabulary"]))

    def quotes(self) -> Iterator[tuple[str, str]]:
        """(where, text) for every statement taken from the page."""
        yield "contacts", self.contacts["text"]
        for key, comp in self.comparisons.items():
            if comp.get("summary"):
                yield f"{key}.summary", comp["summary"]
            for dim, entry in comp["dimensions"].items():
                if entry.get("both"):
                    yield f"{key}.{dim}.both", entry["both"]
                for side, text in entry["sides"].items():
                    yield f"{key}.{dim}.{side}", text
        for line in self.overview["lines"]:
            if line.get("text"):
                yield f"overview.{line['comparison']}", line["text"]
        yield "overview.relation", self.overview["relation"]["text"]
        for key, fact in self.facts.items():
            if fact.get("text"):
                yield key, fact["text"]
            for i, item in enumerate(fact.get("items", []) + fact.get("steps", [])):
                yield f"{key}[{i}]", item["text"]


def _fold(surface: str | None) -> str:
    return normalize(surface or "").strip().replace(" ", "")


@lru_cache(maxsize=8)
def _alias_index(kb: KnowledgeBase, table: str) -> dict:
    index = {}
    for key, entry in getattr(kb, table).items():
        index[_fold(key)] = key
        index[_fold(entry["name"])] = key
        for alias in entry["aliases"]:
            index.setdefault(_fold(alias), key)
    return index


def read_kb(path: Path = KB_PATH) -> KnowledgeBase:
    """The knowledge base in `path`, validated (KnowledgeBaseError names the file and key)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return KnowledgeBase(data=validated_kb(raw, path).dict(exclude_none=True))


@lru_cache(maxsize=1)
def load_kb() -> KnowledgeBase:
    return read_kb()


class PageCorrector(TypoCorrector):
    """The knowledge base's terms restored from same-sounding misspellings (課服 -> 客服), and spelled
    from a message typed in pinyin (assistant/pinyin_input.py)."""

    def __init__(self, terms: Iterable[str]):
        self.terms = tuple(sorted(set(terms)))
        super().__init__(self.terms)

    def pinyin_edits(self, text: str):
        return pinyin_edits(text, self.terms)


@lru_cache(maxsize=1)
def default_corrector() -> PageCorrector:
    return PageCorrector(load_kb().all_terms())


_NEGATIONS = ("不", "没")
_DENIALS = ("不是", "并非", "而非")
_RHETORICAL_END = re.compile(r"[^，,。？?！!]*[吗吧嘛]")


_QUOTE_MARKS = re.compile(r"[「」『』“”\"‘’']")


def _said(word: str, text: str) -> bool:
    text = _QUOTE_MARKS.sub("", text)  # 比较「虚」 says 比较虚
    start = text.find(word)
    while start != -1:
        # 不是找工作啊，是我们厂的产品想往网上推 denies 找工作 (是不是找工作 asks it)
        # (运营不是对内的吗 asserts it)
        denied = (
            text[max(0, start - 2) : start] in _DENIALS
            and text[max(0, start - 3) : start] != "是不是"
            and not _RHETORICAL_END.match(text, start)
        )
        negated = (start > 0 and text[start - 1] in _NEGATIONS) or denied
        # 包不包括 / 一样不一样 ask whether, they do not deny
        if not negated or (start > 1 and text[start - 2] == word[0]) or text.startswith(word, start + len(word) + 1):
            return True
        start = text.find(word, start + 1)
    return False


@cache
def _names_of_subjects(kb: KnowledgeBase) -> dict[str, str]:
    return {n: k for k in kb.subjects for n in kb.subject_names(k) if len(n) >= 2}
