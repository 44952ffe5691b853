"""The shape of kb/knowledge_base.yml and kb/dialogue.yml, checked when they are loaded.

A misspelt key, a missing text or a reference to a fact that does not exist stops `make model`
(and any process that loads the files) with the file and the key, instead of a KeyError in the
middle of a visitor's conversation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

from pydantic import BaseModel, Extra, ValidationError, validator


class KnowledgeBaseError(ValueError):
    """A knowledge-base or phrasebook file that does not follow the schema."""


class _Strict(BaseModel):
    class Config:
        extra = Extra.forbid


# --- kb/knowledge_base.yml: what the page says ----------------------------------------------
class Page(_Strict):
    title: str
    subtitle: str
    publisher: str


class Contacts(_Strict):
    phone: str
    wechat: str
    text: str


class Term(_Strict):
    name: str
    aliases: List[str]
    says_which_comparison: bool = False
    # an alias right after one of these is a verb, not the term (领导要求梳理 is no 能力要求)
    not_after: List[str] = []
    # a story set here makes a bare title word this role (开了家淘宝店……一个做运营: 淘宝运营)
    setting: List[str] = []


class DimensionAnswer(_Strict):
    """What a comparison says on one dimension: one text per side, or one for both."""

    label: str
    sides: Dict[str, str] = {}
    both: Optional[str] = None

    @validator("both", always=True)
    def _sides_or_both(cls, both, values):
        if bool(both) == bool(values.get("sides")):
            raise ValueError("give either `sides` (a text per role) or `both`, not both and not neither")
        return both


class Comparison(_Strict):
    title: str
    subjects: List[str]
    summary: Optional[str] = None
    dimensions: Dict[str, DimensionAnswer]
    related_facts: List[str] = []
    # The dimension of this comparison, or the fact, that says how the two relate (一部分 / 等于 / 包含).
    relation: Optional[str] = None
    # Words of its summary (偏实 / 务虚): a question about the pair saying one asks for all of it.
    decisive: List[str] = []
    # The fact in which the page speaks to choosing between the two (哪个更好就业), if any: the answer to
    # "so you advise me to take X?" after this comparison.
    choice: Optional[str] = None

    @validator("subjects")
    def _two(cls, subjects):
        if len(subjects) != 2 or subjects[0] == subjects[1]:
            raise ValueError("a comparison compares exactly two different subjects")
        return subjects


class Item(_Strict):
    label: Optional[str] = None
    text: str


class Fact(_Strict):
    intent: str
    evidence: List[str] = []
    # words that alone make a question about the fact's own pair this fact (容易找工作 → prospects)
    decisive: List[str] = []
    comparison: str  # the comparison it belongs to, or `any`
    subject: Optional[str] = None
    # dimensions of its subject this fact answers when that role alone is named (运营的日常工作)
    answers: List[str] = []
    title: str
    text: Optional[str] = None
    items: List[Item] = []
    steps: List[Item] = []
    related: List[str] = []
    # its items' labels name other sections (内容出处: 新媒体推广的特点 → 百度百科): the page index
    # keeps only what it says of them, or 电商运营有啥特点 would find the sources
    labels_name_others: bool = False


class OverviewLine(_Strict):
    comparison: str
    text: Optional[str] = None
    label: Optional[str] = None
    items: List[str] = []


class Relation(_Strict):
    label: str
    text: str


class Overview(_Strict):
    title: str
    subjects: List[str]
    lines: List[OverviewLine]
    relation: Relation


class Services(_Strict):
    aliases: List[str]


class Gap(_Strict):
    name: str
    aliases: List[str]


class KnowledgeBaseFile(_Strict):
    page: Page
    contacts: Contacts
    subjects: Dict[str, Term]
    dimensions: Dict[str, Term]
    comparisons: Dict[str, Comparison]
    overview: Overview
    facts: Dict[str, Fact]
    services: Services
    vocabulary: List[str] = []
    gaps: Dict[str, Gap] = {}


def _references(kb: KnowledgeBaseFile) -> List[str]:
    """Keys that name something that does not exist, as `where: problem`."""
    problems = []
    for key, comp in kb.comparisons.items():
        where = f"comparisons.{key}"
        problems += [f"{where}.subjects: no subject `{s}`" for s in comp.subjects if s not in kb.subjects]
        for dim, answer in comp.dimensions.items():
            if dim not in kb.dimensions:
                problems.append(f"{where}.dimensions.{dim}: no dimension `{dim}`")
            problems += [
                f"{where}.dimensions.{dim}.sides.{side}: `{side}` is not one of {comp.subjects}"
                for side in answer.sides
                if side not in comp.subjects
            ]
        problems += [f"{where}.related_facts: no fact `{f}`" for f in comp.related_facts if f not in kb.facts]
        if comp.choice and comp.choice not in kb.facts:
            problems.append(f"{where}.choice: no fact `{comp.choice}`")
        if comp.relation and comp.relation not in comp.dimensions and comp.relation not in kb.facts:
            problems.append(f"{where}.relation: `{comp.relation}` is neither a dimension of it nor a fact")
    intents = {}
    for key, fact in kb.facts.items():
        where = f"facts.{key}"
        if fact.comparison != "any" and fact.comparison not in kb.comparisons:
            problems.append(f"{where}.comparison: no comparison `{fact.comparison}`")
        if fact.subject and fact.subject not in kb.subjects:
            problems.append(f"{where}.subject: no subject `{fact.subject}`")
        problems += [f"{where}.answers: no dimension `{d}`" for d in fact.answers if d not in kb.dimensions]
        if fact.answers and not fact.subject:
            problems.append(f"{where}.answers: needs the fact's subject")
        problems += [
            f"{where}.related: no fact or comparison `{r}`"
            for r in fact.related
            if r not in kb.facts and r not in kb.comparisons
        ]
        if not (fact.text or fact.items or fact.steps):
            problems.append(f"{where}: needs a `text`, `items` or `steps`")
        if fact.intent in intents:
            problems.append(f"{where}.intent: `{fact.intent}` is also the intent of facts.{intents[fact.intent]}")
        intents[fact.intent] = key
    problems += [f"overview.subjects: no subject `{s}`" for s in kb.overview.subjects if s not in kb.subjects]
    for i, line in enumerate(kb.overview.lines):
        if line.comparison not in kb.comparisons:
            problems.append(f"overview.lines[{i}].comparison: no comparison `{line.comparison}`")
        if not (line.text or (line.label and line.items)):
            problems.append(f"overview.lines[{i}]: needs a `text`, or a `label` with `items`")
    return problems


# --- kb/dialogue.yml: what the assistant says in its own words --------------------------------
class CallbackPhrases(_Strict):
    class Config:
        extra = Extra.allow  # the form's prompts and buttons, read by key (actions/callback.py)

    not_a_name: List[str]
    time_words: List[str]
    any_time_words: List[str]
    field_words: Dict[str, List[str]]


class Days(_Strict):
    today: str
    tomorrow: str
    weekdays: List[str]

    @validator("weekdays")
    def _seven(cls, weekdays):
        if len(weekdays) != 7:
            raise ValueError("seven names, Monday first")
        return weekdays


class PhrasebookFile(_Strict):
    texts: Dict[str, str]
    days: Days
    buttons: Dict[str, str]
    formats: Dict[str, str]
    numerals: List[str]
    more_words: List[str]
    callback: CallbackPhrases


def _loc(error: dict) -> str:
    return ".".join(str(part) for part in error["loc"] if part != "__root__")


def validated(model, data, path: Path, extra_checks=None):
    """`data` parsed as `model`, or KnowledgeBaseError naming the file and every bad key."""
    try:
        parsed = model.parse_obj(data if isinstance(data, dict) else {})
    except ValidationError as invalid:
        lines = [f"{_loc(e)}: {e['msg']}" for e in invalid.errors()]
        raise KnowledgeBaseError(f"{path}:\n  " + "\n  ".join(lines)) from None
    problems = extra_checks(parsed) if extra_checks else []
    if problems:
        raise KnowledgeBaseError(f"{path}:\n  " + "\n  ".join(problems))
    return parsed


def validated_kb(data, path: Path) -> KnowledgeBaseFile:
    return validated(KnowledgeBaseFile, data, path, _references)


def validated_phrasebook(data, path: Path) -> PhrasebookFile:
    return validated(PhrasebookFile, data, path)
