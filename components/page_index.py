"""The page index's word in the NLU (assistant.page_index), after the intent classifier.

- A message quoting the page (“运营偏向务实…” 这话怎么理解) is about the quoted section,
  whatever the classifier made of the words around the quotation.
- A message the classifier declined (out_of_scope) or was unsure of (nlu_fallback) is
  answered from the section the index finds when the index is sure of it; when the index is
  only fairly sure, it becomes a clarification whose candidates (`page_candidates`) are the
  index's best two sections. The page's own gaps (a `gap` entity: 工资, 证书 …) stay declined.
- A second opinion on what the classifier understood: a question about two roles that names no
  dimension gets the dimension the index is sure of (哪个门槛低，只要会宣传就行 → 能力要求); a
  fact the question holds no word of gives way to the section the index finds far likelier
  (市场和运营，哪个更务实 is the comparison, not 运营包含市场).
The section is given to the actions as entities (`comparison`, `dimension`) and the intent
that asks for it; `page_match` in the parse output says what the index decided and why.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import combinations
from typing import Any, Dict, List, Optional, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.clauses import clause_spans, corrected, dimensions_in, is_question, names_page, subject_mentions
from assistant.cues import asks_for_person
from assistant.kb import load_kb
from assistant.page_index import QUOTES, Section, load_index
from assistant.wording import glossary
from components.normalizer import FULL_TEXT, READING

PAGE_MATCH = "page_match"
PAGE_CANDIDATES = "page_candidates"
GAP_SETTING = "gap_setting"  # a gap word naming where the page's claim would be applied (not what is asked)
UNSURE_INTENTS = {"out_of_scope", "nlu_fallback"}
TIE = 1e-6  # index scores this close are a tie
MIN_STORY = 10  # characters beside the question that tell a story of their own
MIN_WORDS_OF_ANOTHER_FACT = 2  # another fact's words a question must say to be that fact instead
# between two dimensions asked together (范畴不同和内容不同 / 内容、能力): a joining word, nothing else
_JOINS = re.compile(r"\s*(?:不同|上|方面|上的)?\s*(?:和|跟|与|及|以及|还有|、|同|再看|再到|然后是|然后)\s*")
_COMPARES = re.compile(r"区别|不同|差别|差异|不一样|异同|之别")
_YES_NO = re.compile(r"[吗么嘛][?？]?\s*$|是不是|是否|一样不|同不同")
_WHICH = re.compile(r"哪|什么|啥|几")
_WHICH_OF_TWO = re.compile(r"还是|哪个|哪一个|哪边|哪一边|谁")
COMPARISON_INTENTS = {"ask_difference", "ask_dimension", "ask_role"}
PERSON_INTENTS = {"request_human", "request_callback"}
PERSON_SURE_AT = 0.5  # a request for a person below this, saying none of its words, is not one
SMALL_TALK = {"greet", "goodbye", "thank", "affirm"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PageIndexMatcher(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # Shares of a question's rare character pairs that a section holds (docs/pipeline.md).
        return {
            "answer_at": 0.75,
            "answer_margin": 0.15,
            "suggest_at": 0.5,
            "dimension_at": 0.6,
            # a dimension named without its pair: the comparison whose side of it the words say, this far ahead
            "comparison_of_dimension_at": 0.3,
            "fact_margin": 0.3,
            "story_dimension_at": 0.05,
            "fact_of_pair_below": 0.5,
            "fact_of_pair_at": 0.25,
            "pair_intent_at": 0.15,
            "evidence_vote_at": 3,
            "evidence_vote_margin": 2,
            "small_talk_sure_at": 0.5,
            "evidence_vote_confidence": 0.6,  # actions/facts.py UNSURE_CONFIDENCE: then answered as is
            "fact_without_page_words_below": 0.75,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        self.config = config

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PageIndexMatcher:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str) and text and not text.startswith("/"):
                self._consult(message, text)
        return messages

    def _consult(self, message: Message, focus: str) -> None:
        index = load_index()
        intent = (message.get(INTENT) or {}).get("name")
        self._verbs_not_dimensions(message, focus)
        self._understood_dimensions_not_asked(message, focus)
        entities = self._gaps_outside_the_question(message, focus)
        if any(e.get("entity") == "gap" for e in entities):
            return  # the page's known gaps keep their own honest answer
        if self._joined_dimensions_are_the_whole(message, focus) or self._difference_of_one_role(message, focus):
            return
        whole = message.get(FULL_TEXT) or focus
        quoted = index.quoted(whole) or index.filled(whole) or index.pasted(whole)
        # A quotation is the subject unless the question around it clearly asks for a fact of its
        # own (李叫兽说市场部是“……无形价值的部门”，这个无形价值具体指什么).
        kb = load_kb()
        fact_asked = kb.fact_for_intent(intent or "")
        roles = set(kb.names_of_subjects())
        # ……the fact's own words, not only a role's name (这个“务虚”是贬义吗？市场部干的都是虚活？ is the quote's)
        asks_fact = (
            fact_asked
            and (message.get(INTENT) or {}).get("confidence", 0) >= 0.5
            and (not kb.facts[fact_asked].get("evidence") or kb.evidence_hits(fact_asked, focus, ignore=roles) > 0)
        )
        if quoted and not asks_fact:
            return self._answer(message, quoted[0], quoted[1], "quotation")
        listed = None if asks_fact else index.listed(whole)
        if listed is not None:  # Banner广告、关键词广告、开屏广告……哪个文章没提: the section of those items
            return self._answer(message, listed[0], listed[1], "listed_items")
        example = None if asks_fact else index.example(message.get(FULL_TEXT) or focus)
        if example is not None:  # 那瓶果汁、比星巴克还贵的那个例子想说明什么: the section of those examples
            return self._answer(message, example, 1.0, "page_example")
        if self._decisive_comparison(message, focus, entities):
            return
        if intent in UNSURE_INTENTS and self._relation(message, focus, entities):
            return  # 电商运营不就等于新媒体推广吗: how the named pair relate, however unsure the classifier
        if intent in UNSURE_INTENTS and (
            # 市场和运营也不能说完全两码事吧……都得写文案……都要做活动: what both do, not how they differ
            (not _COMPARES.search(focus) and self._fact_of_the_told_pair(message))
            or self._names_a_compared_pair(message, entities)
            or self._fact_of_the_role(message, focus, entities)
            or self._own_fact_of_the_role(message, focus, entities, None)
        ):
            intent = (message.get(INTENT) or {}).get("name")
        if intent in SMALL_TALK and self._page_question_under_small_talk(message, focus, entities):
            intent = (message.get(INTENT) or {}).get("name")
        if (
            intent in SMALL_TALK | {"bot_challenge"}
            and (message.get(INTENT) or {}).get("confidence", 1.0) < self.config["fact_without_page_words_below"]
            and self._fact_better_supported(message, None)
        ):
            return  # ……阅读九万多，一单没出……真的是白忙吗 read as 你是真人吗: the fact the whole message tells
        kb = load_kb()
        own_fact = kb.facts.get(kb.fact_for_intent(intent or "") or "") or {}
        if (
            intent in COMPARISON_INTENTS
            and self._pair(entities)
            and any(cue in focus for cue in glossary()["all_aspects"])
        ):
            return self._whole_comparison(message, entities)  # 从哪几个方面论证它们不是一回事: all of it
        if (intent in COMPARISON_INTENTS or own_fact.get("comparison") == self._pair(entities)) and self._relation(
            message, focus, entities
        ):
            return
        if intent in COMPARISON_INTENTS:
            if self._fact_answering_the_dimension(message, entities):
                return
            unsure = (message.get(INTENT) or {}).get("confidence", 1.0) < self.config["small_talk_sure_at"]
            no_dimension = not any(e.get("entity") == "dimension" for e in entities)
            if unsure and no_dimension and self._own_fact_of_the_role(message, focus, entities, None):
                return  # 新媒体推广那三个特点……再告诉我一次 read as a dimension at 0.31: the role's own fact
            if self._decisive_fact(message, focus, entities) or self._fact_of_the_pair(message, focus, entities):
                return
            if self._dimension_the_comparison_lacks(message, focus, entities):
                return
            if self._comparison_missed(message, focus, entities):
                return
            return self._dimension_missed(message, focus, entities)
        fact = kb.fact_for_intent(intent or "")
        if fact is not None:
            if self._dimension_over_fact(message, entities, fact) or self._decisive_sibling(message, focus, fact):
                return
            if not kb.decisive_fact(kb.facts[fact].get("comparison") or "", focus) and self._decisive_anywhere(
                message, focus, instead_of=fact
            ):
                return  # 你们引用的那个定义是怎么说的: the definition's own words, not the sources'
            if self._fact_better_supported(message, fact):
                return
            return self._fact_unsupported(message, focus, fact)
        if intent in PERSON_INTENTS and (message.get(INTENT) or {}).get("confidence", 1.0) < PERSON_SURE_AT:
            whole = message.get(FULL_TEXT) or focus
            found = index.search(whole, limit=2)
            (best, score), (_, second) = found[0], found[1]
            sure = score >= self.config["answer_at"] and score - second >= self.config["answer_margin"]
            if not asks_for_person(whole):  # 你们页面里列了哪些常见形式？我对照下 at 0.46
                if sure:
                    return self._answer(message, best, score, "search_over_person")
                if self._fact_the_words_say(message, whole):
                    return
        if intent not in UNSURE_INTENTS:
            return
        if self._fact_better_supported(message, None) or self._decisive_anywhere(message, focus):
            return
        if self._one_roles_comparison(message, focus, entities) or self._fact_of_the_told_pair(message):
            return
        unsure = (message.get(INTENT) or {}).get("confidence", 1.0) < self.config["small_talk_sure_at"]
        if unsure and self._runner_up_with_its_words(message, message.get(FULL_TEXT) or focus, None, min_words=2):
            return  # 网上投广告……常见的一共有哪些形式 declined at 0.37, the ad forms next at 0.30
        ranked = index.search(focus, limit=3)  # the best two decide; a third may tie with them
        found = ranked[:2]
        (best, score), (_, second) = found[0], found[1]
        if score >= self.config["answer_at"] and score - second >= self.config["answer_margin"]:
            return self._answer(message, best, score, "search")
        if self._between_comparison_intents(message, entities):
            return self._dimension_missed(message, focus, message.get(ENTITIES) or [])
        # a tie between a dimension and a fact saying the same (运营具体做什么 is 运营's side of the content):
        # the fact of the one role named (「引入资金」？……运营怎么还管拉钱)
        tied = [s for s, v in ranked if v >= score - TIE]
        own_facts = [s for s in tied if s.fact and load_kb().facts[s.fact].get("subject") in _roles(entities)]
        if score >= self.config["suggest_at"] and len(tied) > 1 and len(own_facts) == 1:
            return self._answer(message, own_facts[0], score, "tie_to_the_roles_fact")
        own = best.comparison and _roles(entities) & set(
            (load_kb().comparisons.get(best.comparison) or {}).get("subjects") or []
        )
        if score >= self.config["suggest_at"] and second <= score / 2 and own:
            # 我决定去投网络推广的岗位了，因为不太喜欢跟外面的人打交道: a plan told, no question; a section
            # of the role it names, well ahead of any other, is what the page says to it
            return self._answer(message, best, score, "search_of_the_role")
        if score >= self.config["suggest_at"]:
            message.set(INTENT, {"name": "nlu_fallback", "confidence": score}, add_to_output=True)
            candidates = [s.key for s, v in found if v >= self.config["suggest_at"]]
            message.set(PAGE_CANDIDATES, candidates, add_to_output=True)
            message.set(PAGE_MATCH, {"decision": "suggest", "score": round(score, 3)}, add_to_output=True)

    @staticmethod
    def _verbs_not_dimensions(message: Message, focus: str) -> None:
        """领导要求梳理……: a dimension's alias after a person (`not_after` in the KB) is a verb; 开拓市场:
        a role's alias after these words is no role."""
        kb = load_kb()
        entities = message.get(ENTITIES) or []

        def a_verb(e: dict) -> bool:
            if e.get("entity") == "dimension":
                key, table = kb.dimension_key(e.get("value")), kb.dimensions
            elif e.get("entity") == "subject":
                key, table = kb.subject_key(e.get("value")), kb.subjects
            else:
                return False
            before = focus[: int(e.get("start", 0))]
            return bool(key) and any(before.endswith(w) for w in table[key].get("not_after") or [])

        kept = [e for e in entities if not a_verb(e)]
        if len(kept) != len(entities):
            message.set(ENTITIES, kept, add_to_output=True)

    @staticmethod
    def _understood_dimensions_not_asked(message: Message, focus: str) -> None:
        """内容和能力那两条我看懂了，就定位那条没懂: the dimensions of a clause saying they are understood
        are not asked, when another clause names one."""
        clear = [(a, b) for a, b in clause_spans(focus) if _says_understood(focus[a:b])]
        entities = message.get(ENTITIES) or []
        inside = lambda e: any(a <= int(e.get("start", -1)) < b for a, b in clear)  # noqa: E731
        dims = [e for e in entities if e.get("entity") == "dimension"]
        if not clear or not dims or all(inside(e) for e in dims) or not any(inside(e) for e in dims):
            return
        message.set(
            ENTITIES, [e for e in entities if e.get("entity") != "dimension" or not inside(e)], add_to_output=True
        )

    @staticmethod
    def _joined_dimensions_are_the_whole(message: Message, focus: str) -> bool:
        """范畴不同和内容不同不就是一个意思么 / 工作内容和能力要求上有什么区别: two dimensions joined by 和
        are asked together, so the comparison is answered whole, not only the later one."""
        kb = load_kb()
        entities = message.get(ENTITIES) or []
        dims = sorted((e for e in entities if e.get("entity") == "dimension"), key=lambda e: int(e.get("start", 0)))
        keys = {kb.dimension_key(e.get("value")) for e in dims} - {None}
        joined = any(
            _JOINS.fullmatch(focus[int(a.get("end", 0)) : int(b.get("start", 0))])
            for a, b in zip(dims, dims[1:])
            if kb.dimension_key(a.get("value")) != kb.dimension_key(b.get("value"))
        )
        owners = [c for c, comp in kb.comparisons.items() if keys <= set(comp["dimensions"])]
        one_side = len(_roles(entities)) == 1 and (message.get(INTENT) or {}).get("name") == "ask_role"
        if len(keys) < 2 or not joined or len(owners) != 1 or one_side:  # (淘宝运营的定位和能力: one side's)
            return False
        if PageIndexMatcher._pair(entities) not in (None, "overview", owners[0]):
            return False  # 网络推广和运营也能像这样从定位、内容、能力来比吗: another pair, in those terms
        kept = [e for e in entities if e.get("entity") not in ("dimension", "comparison")]
        whole = {
            "entity": "comparison",
            "value": owners[0],
            "start": 0,
            "end": len(focus),
            "extractor": "PageIndexMatcher",
        }
        message.set(ENTITIES, kept + [whole], add_to_output=True)
        message.set(INTENT, {"name": "ask_difference", "confidence": 1.0}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "joined_dimensions", "section": owners[0]}, add_to_output=True)
        return True

    def _difference_of_one_role(self, message: Message, focus: str) -> bool:
        """市场部门的工作区别是什么 / 网络推广的区别是啥: the difference of one role, its other side left
        unnamed, is its comparison (the one it has), not what the role does or a fact of it."""
        kb = load_kb()
        entities = message.get(ENTITIES) or []
        named = _roles(entities)
        intent = (message.get(INTENT) or {}).get("name") or ""
        fact = kb.fact_for_intent(intent)
        asks_role = intent == "ask_role" or (fact is not None and kb.facts[fact].get("subject") in named)
        if len(named) != 1 or not asks_role or not _COMPARES.search(focus) or dimensions_in(focus):
            return False
        if fact and kb.evidence_hits(fact, focus, ignore=set(kb.names_of_subjects())):
            return False  # 网络推广的作用跟别的推广有啥不同: its own fact's words
        return self._one_roles_comparison(message, focus, entities)

    @staticmethod
    def _gaps_outside_the_question(message: Message, focus: str) -> List[dict]:
        """A gap word in a clause that only sets the scene (课程论文里要写……，它们有哪些重叠) is
        not what is asked: the page's gaps are declined only when the asking clause holds them."""
        entities = message.get(ENTITIES) or []
        gaps = [e for e in entities if e.get("entity") == "gap"]
        if not gaps:
            return entities
        spans = [span for span in clause_spans(focus) if is_question(focus[span[0] : span[1]], weak=False)]
        if not spans:
            return entities
        inside = lambda e: any(a <= int(e.get("start", -1)) < b for a, b in spans)  # noqa: E731
        asked = "，".join(focus[a:b] for a, b in spans)
        # ……推荐阅读里那个“上海营销策划公司排名前十”，具体是哪十家: a which-question naming nothing of the
        # page asks about the gap the message names (……这话对吗 checks a claim instead)
        quoted = lambda e: any(a <= int(e.get("start", -1)) < b for a, b in (m.span() for m in QUOTES.finditer(focus)))  # noqa: E731
        about_the_gap = _WHICH.search(asked) and not names_page(asked)
        kept = [e for e in entities if e.get("entity") != "gap" or inside(e) or (about_the_gap and quoted(e))]
        # 先不管文凭，市场部到底是干啥的: a gap the visitor sets aside is not asked
        kept = [e for e in kept if e.get("entity") != "gap" or not _set_aside(focus, e)]
        # 课程需要讲淘宝运营和推广专员有何区别: a gap word before the compared pair in the asking
        # clause says what the answer is for, not what is asked
        pair = PageIndexMatcher._pair(kept)
        if pair not in (None, "overview") and _COMPARES.search(focus):
            kb = load_kb()
            own = set(kb.comparisons[pair]["subjects"])
            first = min(
                int(e.get("start", 0))
                for e in kept
                if e.get("entity") == "subject" and kb.subject_key(e.get("value")) in own
            )
            kept = [e for e in kept if e.get("entity") != "gap" or int(e.get("start", 0)) >= first]
        # ……这个定位上的区分放到直播带货团队里也一样吗: the gap is where the page's claim would be applied;
        # the claim is answered, and the actions say in one line that the page says nothing of that setting
        setting = [e for e in kept if e.get("entity") == "gap" and _a_setting(focus, e)]
        if setting:
            kept = [e for e in kept if e not in setting]
            message.set(GAP_SETTING, setting[0].get("value"), add_to_output=True)
        if len(kept) != len(entities):
            message.set(ENTITIES, kept, add_to_output=True)
        return kept

    @staticmethod
    def _pair(entities: List[dict]) -> Optional[str]:
        """The comparison of the roles named; of three or more, the one pair the page compares
        (电商技能培训班讲淘宝运营和推广专员的区别: 淘宝运营 and 推广专员)."""
        kb = load_kb()
        named = _roles(entities)
        if len(named) == 2:
            return kb.comparison_for(named)
        compared = {kb.comparison_for(set(p)) for p in combinations(sorted(named), 2)} - {None, "overview"}
        return compared.pop() if len(named) > 2 and len(compared) == 1 else None

    def _names_a_compared_pair(self, message: Message, entities: List[dict]) -> bool:
        """A question the classifier declined that names two roles the page compares (网络推广跟运营
        我总记混，有没有好记的分法) is not out of the page: it is about that comparison."""
        kb = load_kb()
        named = _roles(entities)
        dims = {kb.dimension_key(e.get("value")) for e in entities if e.get("entity") == "dimension"} - {None}
        # 自己学着干淘宝运营，得具备啥本事: one role and a dimension its comparison has
        one_side = len(named) == 1 and any(
            dims & set(kb.comparisons[c]["dimensions"]) for c in kb.comparisons_with(next(iter(named)))
        )
        if self._pair(entities) is None and not one_side:
            return False
        # only when the classifier itself thought of the page (你猜我是做运营的还是做市场的 it did not)
        page_intents = COMPARISON_INTENTS | {f["intent"] for f in kb.facts.values()}
        ranking = message.get(INTENT_RANKING_KEY) or []
        if not any(
            r.get("name") in page_intents and r.get("confidence", 0) >= self.config["pair_intent_at"] for r in ranking
        ):
            return False
        has_dimension = any(e.get("entity") == "dimension" for e in entities)
        # below fact_of_pair_below: a fact of this pair the classifier also thought of may still win
        name = "ask_role" if one_side else "ask_dimension" if has_dimension else "ask_difference"
        chosen = {"name": name, "confidence": 0.4}
        message.set(INTENT, chosen, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "compared_pair", "intent": chosen["name"]}, add_to_output=True)
        return True

    def _page_question_under_small_talk(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """Small talk the classifier is unsure of (再告诉我一次吧 read as a goodbye at 0.30) in a message
        that names a role of the page and a fact's own words: the page question it ranked next."""
        if (message.get(INTENT) or {}).get("confidence", 1.0) >= self.config["small_talk_sure_at"]:
            return False
        if not any(e.get("entity") == "subject" for e in entities):
            return False
        kb = load_kb()
        ranked = [
            r
            for r in (message.get(INTENT_RANKING_KEY) or [])[1:4]
            if r.get("confidence", 0) >= self.config["pair_intent_at"]
        ]

        def said_fact(name: str) -> bool:
            key = kb.fact_for_intent(name)
            return bool(key and kb.facts[key].get("evidence") and kb.fact_supported(key, focus))

        # a fact whose words are said first, then a comparison of the named role
        chosen = next((r for r in ranked if said_fact(r.get("name") or "")), None) or next(
            (r for r in ranked if r.get("name") in COMPARISON_INTENTS), None
        )
        if chosen is None:
            return False
        message.set(INTENT, {"name": chosen["name"], "confidence": chosen["confidence"]}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "page_under_small_talk", "intent": chosen["name"]}, add_to_output=True)
        return True

    def _fact_of_the_role(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """A declined question about the one role a fact of the page describes, which the classifier
        also thought of, with the fact's words beside the role's name (招一名运营，岗位职责写什么)."""
        kb = load_kb()
        named = _roles(entities)
        if len(named) != 1:
            return False
        role = next(iter(named))
        names = set(kb.subject_names(role))
        for ranked in (message.get(INTENT_RANKING_KEY) or [])[:4]:
            key = kb.fact_for_intent(ranked.get("name") or "")
            if (
                not key
                or kb.facts[key].get("subject") != role
                or ranked.get("confidence", 0) < self.config["pair_intent_at"]
            ):
                continue
            words = [w for w in kb.facts[key].get("evidence") or [] if w not in names]
            if any(w in focus for w in words):
                message.set(INTENT, {"name": ranked["name"], "confidence": ranked["confidence"]}, add_to_output=True)
                message.set(PAGE_MATCH, {"decision": "fact_of_role", "fact": key}, add_to_output=True)
                return True
        return False

    @staticmethod
    def _own_fact_of_the_role(message: Message, focus: str, entities: List[dict], instead_of: Optional[str]) -> bool:
        """A fact the question holds no word of (or a decline), the one role named, and that role's own
        fact whose words the question says (运营还负责哪些事 read as the funnel's owners / 估计你也答
        不上来：市场部到底算个什么部门，有没有个正经定义): the role's fact."""
        kb = load_kb()
        named = _roles(entities)
        if len(named) != 1:
            return False
        role = next(iter(named))
        names = sorted(set(kb.subject_names(role)), key=len, reverse=True)
        said = focus
        for name in names:  # 市场部门 says nothing of the definition's word 部门
            said = said.replace(name, " ")
        own = [
            key
            for key, f in kb.facts.items()
            if key != instead_of and f.get("subject") == role and any(w in said for w in f.get("evidence") or [])
        ]
        if len(own) != 1:
            return False
        message.set(INTENT, {"name": kb.facts[own[0]]["intent"], "confidence": 0.6}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "own_fact_of_role", "fact": own[0], "instead_of": instead_of}, True)
        return True

    def _fact_answering_the_dimension(self, message: Message, entities: List[dict]) -> bool:
        """One role and a dimension named, no pair: the role's own fact that answers that dimension
        (运营的日常工作都有哪些 → what 运营 does; 市场部定位成一个什么部门 → its definition)."""
        kb = load_kb()
        named = _roles(entities)
        if len(named) != 1 or self._pair(entities):
            return False
        role = next(iter(named))
        asked = {kb.dimension_key(e.get("value")) for e in entities if e.get("entity") == "dimension"} - {None}
        found = [key for key, f in kb.facts.items() if f.get("subject") == role and asked & set(f.get("answers") or [])]
        current = {e.get("value") for e in entities if e.get("entity") == "comparison"}
        if len(found) != 1 or (current and kb.facts[found[0]]["comparison"] not in current):
            return False  # 那运营的工作内容呢 while 运营 and 市场部门 are compared: that comparison's side
        confidence = max((message.get(INTENT) or {}).get("confidence", 0.0), self.config["evidence_vote_confidence"])
        message.set(INTENT, {"name": kb.facts[found[0]]["intent"], "confidence": confidence}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "fact_answering_the_dimension", "fact": found[0]}, True)
        return True

    def _dimension_over_fact(self, message: Message, entities: List[dict], fact: str) -> bool:
        """市场部门跟运营部门的目的一样吗: a yes-or-no question naming the fact's comparison and one of
        its dimensions, and none of the fact's decisive words: that dimension, not the fact (here the
        common ground)."""
        kb = load_kb()
        comparison = kb.facts[fact].get("comparison")
        named = {e.get("value") for e in entities if e.get("entity") == "dimension"}
        keys = {kb.dimension_key(n) for n in named} & set(kb.comparisons.get(comparison, {}).get("dimensions") or {})
        text = message.get(TEXT) or ""
        if self._pair(entities) != comparison or len(keys) != 1 or kb.decisive_fact(comparison, text):
            return False
        if _WHICH.search(text) or not _YES_NO.search(text):
            return False  # 哪些是相同的 asks for the fact's items; only 目的一样吗 asks of the dimension
        message.set(INTENT, {"name": "ask_dimension", "confidence": 0.9}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "dimension_over_fact", "fact": fact, "dimension": next(iter(keys))}, True)
        return True

    @staticmethod
    def _role_of_the_fact(fact: str, entities: List[dict]) -> bool:
        """Whether the entities name the role the fact describes, or one of its comparison's pair."""
        kb = load_kb()
        f = kb.facts[fact]
        roles = {f.get("subject")} | set((kb.comparisons.get(f.get("comparison") or "") or {}).get("subjects") or [])
        return bool(_roles(entities) & (roles - {None}))

    def _told_a_story_of_the_pair(self, message: Message, focus: str, fact: str) -> bool:
        """A story beside the question (pasted reports, a work log) that says none of the fact's words
        but says a dimension of the named pair's comparison."""
        full = message.get(FULL_TEXT) or ""
        # one word of the fact in the story (注册量 among a department's tasks) is not the fact asked
        if len(full) - len(focus) < MIN_STORY or load_kb().evidence_hits(fact, full) >= MIN_WORDS_OF_ANOTHER_FACT:
            return False
        return self._story_dimension(message, message.get(ENTITIES) or []) is not None

    def _comparison_instead(
        self, message: Message, focus: str, entities: List[dict], fact: str, strict: bool = False
    ) -> bool:
        """None of the fact's words, two compared roles named: their comparison, the intent the classifier
        ranked next if it is one, and the dimension the story or question says."""
        if self._pair(entities) in (None, "overview"):
            return False
        ranking = (message.get(INTENT_RANKING_KEY) or [])[1:3]
        other = next((r for r in ranking if r.get("name") in COMPARISON_INTENTS), None)
        if strict and (other is None or other.get("confidence", 0) < self.config["pair_intent_at"]):
            return False  # (是不是所有公司都必须同时设市场部和运营部: the classifier never thought of their comparison)
        chosen = other or {"name": "ask_difference", "confidence": (message.get(INTENT) or {}).get("confidence", 0.5)}
        message.set(INTENT, {"name": chosen["name"], "confidence": chosen["confidence"]}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "comparison_instead_of_fact", "fact": fact}, True)
        self._dimension_missed(message, focus, entities)
        return True

    @staticmethod
    def _fact_the_words_say(message: Message, focus: str) -> bool:
        """The classifier's fact has none of its words; one other fact has two or more (网络广告常见形式
        那一串……一个一个列出来 read as the 10W example): that fact."""
        found = _fact_whose_words_are_said(focus)
        if found is None:
            return False
        best, most = found
        message.set(INTENT, {"name": load_kb().facts[best]["intent"], "confidence": 0.6}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "fact_the_words_say", "fact": best, "hits": most}, True)
        return True

    @staticmethod
    def _decisive_sibling(message: Message, focus: str, fact: str) -> bool:
        """Another fact of the same comparison whose decisive words the question says (用户下单几步走，
        从头到尾捋一捋 read as who owns which step): that fact."""
        kb = load_kb()
        key = kb.decisive_fact(kb.facts[fact].get("comparison") or "", focus)
        if key is None or key == fact:
            return False
        message.set(INTENT, {"name": kb.facts[key]["intent"], "confidence": 0.9}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "decisive_sibling", "fact": key, "instead_of": fact}, True)
        return True

    def _decisive_comparison(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """The named pair (or one role of it) and their comparison's decisive words, no dimension (市场和
        运营，谁偏实、谁偏虚): the whole comparison, whatever fact or dimension the classifier guessed."""
        kb = load_kb()
        pair = self._pair(entities)
        named = _roles(entities)
        if pair == "overview" or (pair is None and len(named) <= 1):
            # 运营到底是务实的还是务虚的 / 这种活偏务实还是务虚: the one comparison (of the role) that says so;
            # 推广是不是往外跑的，运营窝在里头: of the title's pair, the one comparison whose words are said
            owners = kb.comparisons_with(next(iter(named))) if len(named) == 1 else list(kb.comparisons)
            said = [k for k in owners if kb.decisive_comparison(k, focus)]
            pair = said[0] if len(said) == 1 else None
        if pair in (None, "overview") or any(e.get("entity") == "dimension" for e in entities):
            return False
        if not kb.decisive_comparison(pair, focus):
            return False
        fact = kb.fact_for_intent((message.get(INTENT) or {}).get("name") or "")
        roles = set(kb.names_of_subjects())
        if fact and kb.evidence_hits(fact, focus, ignore=roles) > 0:
            return False  # 运营偏务实，那市场部的定义呢: the fact asked in its own words
        comparison = {"entity": "comparison", "value": pair, "start": 0, "end": len(focus)}
        kept = [e for e in entities if e.get("entity") != "comparison"]
        message.set(ENTITIES, kept + [{**comparison, "extractor": "PageIndexMatcher"}], add_to_output=True)
        message.set(INTENT, {"name": "ask_difference", "confidence": 1.0}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "decisive_comparison", "section": pair}, add_to_output=True)
        return True

    @staticmethod
    def _decisive_anywhere(message: Message, focus: str, instead_of: Optional[str] = None) -> bool:
        """Unsure, or sure of a fact none of whose decisive words are said, and the question says one
        fact's decisive words (李叫兽那个定义大意是怎么说的): that fact."""
        kb = load_kb()
        # a fact of one role (市场部的定义), not one about a pair (哪个好就业: 心理咨询师的就业前景 is not it)
        keys = {kb.decisive_fact(k, focus) for k in kb.comparisons} - {None}
        # ……or, when no role is named at all, a list of the page (上面说的那四步能再捋一遍吗: the funnel)
        listed = lambda k: bool(kb.facts[k].get("steps") or kb.facts[k].get("items"))  # noqa: E731
        roles_named = bool(subject_mentions(message.get(FULL_TEXT) or focus))
        keys = {k for k in keys if kb.facts[k].get("subject") or (listed(k) and not roles_named)}
        if len(keys) != 1 or instead_of in keys:
            return False
        key = keys.pop()
        message.set(INTENT, {"name": kb.facts[key]["intent"], "confidence": 0.6}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "decisive_fact", "fact": key}, add_to_output=True)
        return True

    def _decisive_fact(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """A question about the named pair that names no dimension but says a fact's decisive words
        (网络推广和运营哪个容易找工作 / 市场和运营相似在哪): that fact of their comparison."""
        pair = self._pair(entities)
        kb = load_kb()
        if any(e.get("entity") == "dimension" for e in entities):
            return False
        if pair in (None, "overview"):
            # 新媒体推广跟报纸电视那种老式的推广比: a fact of one named role whose decisive words are said
            own = [
                k
                for k, f in kb.facts.items()
                if f.get("subject") in _roles(entities) and kb.decisive_fact(f["comparison"], focus) == k
            ]
            key = own[0] if len(own) == 1 else None
        else:
            key = kb.decisive_fact(pair, focus)
        if key is None:
            return False
        message.set(INTENT, {"name": kb.facts[key]["intent"], "confidence": 1.0}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "decisive_fact", "fact": key}, add_to_output=True)
        return True

    def _fact_of_the_pair(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """Unsure between the named pair's comparison and a fact the page gives about that same
        pair, with the fact's own words in the question (做运营比做网推好找工作？): the fact."""
        intent = message.get(INTENT) or {}
        pair = self._pair(entities)
        if pair is None or intent.get("confidence", 1.0) >= self.config["fact_of_pair_below"]:
            return False
        kb = load_kb()
        for other in (message.get(INTENT_RANKING_KEY) or [])[:3]:
            key = kb.fact_for_intent(other.get("name") or "")
            if key and kb.facts[key].get("comparison") == pair and kb.facts[key].get("evidence"):
                if kb.fact_supported(key, focus) and other.get("confidence", 0) >= self.config["fact_of_pair_at"]:
                    chosen = {"name": other["name"], "confidence": other["confidence"]}
                    message.set(INTENT, chosen, add_to_output=True)
                    message.set(PAGE_MATCH, {"decision": "fact_of_pair", "fact": key}, add_to_output=True)
                    return True
        return False

    def _relation(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """新媒体推广就等于电商运营吗 / 市场算运营的一部分吗: how the named pair relate, answered from
        the section their comparison names for it."""
        pair = self._pair(entities)
        focus = _length_asked().sub("", focus)  # 这回只说它俩最核心的区别，一句话就够: not 就够 (enough alone)
        if pair in (None, "overview") or not any(cue in focus for cue in glossary()["relation_cues"]):
            return False
        kb = load_kb()
        relation = kb.comparisons[pair].get("relation")
        if not relation:
            return False
        named = {kb.dimension_key(e.get("value")) for e in entities if e.get("entity") == "dimension"}
        cues = list(re.finditer("|".join(map(re.escape, glossary()["relation_cues"])), focus))
        denied = all(focus[max(0, m.start() - 2) : m.start()].endswith(("不是", "并非", "不")) for m in cues)
        if denied and named & set(kb.comparisons[pair]["dimensions"]) - {relation}:
            return False  # 他说不是一回事，内容上到底差在哪: the dimension asked, not how they relate
        if relation in kb.facts:
            chosen = {"name": kb.facts[relation]["intent"], "confidence": 1.0}
            message.set(INTENT, chosen, add_to_output=True)
        else:
            section = next(s for s in load_index().sections if s.comparison == pair and s.dimension == relation)
            kept = [e for e in entities if e.get("entity") != "dimension"]
            message.set(INTENT, {"name": "ask_dimension", "confidence": 1.0}, add_to_output=True)
            self._add_dimension(message, focus, kept, section, 1.0, "relation")
        message.set(PAGE_MATCH, {"decision": "relation", "section": relation}, add_to_output=True)
        return True

    @staticmethod
    def _whole_comparison(message: Message, entities: List[dict]) -> None:
        """从哪几个方面比较 / 三个方面的区别: every dimension, so the whole comparison."""
        kept = [e for e in entities if e.get("entity") != "dimension"]
        message.set(ENTITIES, kept, add_to_output=True)
        message.set(INTENT, {"name": "ask_difference", "confidence": 1.0}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "all_aspects"}, add_to_output=True)

    def _dimension_the_comparison_lacks(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """A dimension the named roles' comparison does not have (新媒体推广靠什么达到营销目的:
        目的) is said to be missing only when the index agrees; when one of the comparison's own
        dimensions clearly says it, that one is answered."""
        kb = load_kb()
        dims = [kb.dimension_key(e.get("value")) for e in entities if e.get("entity") == "dimension"]
        named = _roles(entities)
        if not dims or not dims[-1] or not named:
            return False
        pair = kb.comparison_for(named) if len(named) == 2 else None
        if pair is None and len(named) == 1:
            owners = kb.comparisons_with(next(iter(named)))
            pair = owners[0] if len(owners) == 1 else None
        if pair in (None, "overview") or dims[-1] in kb.comparisons[pair]["dimensions"]:
            return False
        index = load_index()
        ranked = index.search(focus, limit=len(index.sections), without_roles=True)
        own = [(sec, score) for sec, score in ranked if sec.comparison == pair and sec.dimension]
        (best, score), (_, second) = own[0], own[1]
        # 调研啊定位啊那一串是电商运营干的还是新媒体推广干的: 定位 is a word of the section's own statement
        # (产品定位), not the dimension 工作定位
        said = [e.get("value") for e in entities if e.get("entity") == "dimension"][-1]
        in_statement = bool(said) and str(said) in best.statements and score > second
        if in_statement:
            if score < self.config["comparison_of_dimension_at"]:
                return False
        elif score < self.config["suggest_at"] or second > score / 2:
            return False
        kept = [e for e in entities if e.get("entity") != "dimension"]
        self._add_dimension(message, focus, kept, best, score, "dimension_instead")
        return True

    @staticmethod
    def _between_comparison_intents(message: Message, entities: List[dict]) -> bool:
        """Unsure only whether a question about a compared pair asks for all of the comparison or
        one dimension of it (比喻对得上吗？它俩区别到底在哪): the entities decide."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in UNSURE_INTENTS][:2]
        if len(ranking) < 2 or not all(r.get("name") in COMPARISON_INTENTS for r in ranking):
            return False
        kb = load_kb()
        named = _roles(entities)
        if len(named) < 2 or kb.comparison_for(named) in (None, "overview"):
            return False
        has_dimension = any(e.get("entity") == "dimension" for e in entities)
        chosen = {
            "name": "ask_dimension" if has_dimension else "ask_difference",
            "confidence": ranking[0]["confidence"],
        }
        message.set(INTENT, chosen, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "comparison_intent", "intent": chosen["name"]}, add_to_output=True)
        return True

    def _comparison_missed(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """A dimension named, the roles named settling no comparison (推广 alone, or none), and the words of
        one comparison's side of that dimension well ahead in the index (……那日常店铺打理和商品整合算谁的？
        这是哪个岗位的工作内容): that comparison."""
        kb = load_kb()
        dims = {kb.dimension_key(e.get("value")) for e in entities if e.get("entity") == "dimension"} - {None}
        named = _roles(entities)
        settled = self._pair(entities) not in (None, "overview") or (
            len(named) == 1 and len(kb.comparisons_with(next(iter(named)))) == 1
        )
        if len(dims) != 1 or settled or any(e.get("entity") == "comparison" for e in entities):
            return False
        dim = next(iter(dims))
        index = load_index()
        ranked = [(s, v) for s, v in index.search(focus, limit=len(index.sections)) if s.dimension == dim]
        # (大局观跟宣传能力分别说的是谁: a dimension only one comparison has is that comparison's)
        if (
            not ranked
            or ranked[0][1] < self.config["comparison_of_dimension_at"]
            or (len(ranked) > 1 and ranked[1][1] > ranked[0][1] / 2)
        ):
            return False
        best, score = ranked[0]
        self._add_dimension(message, focus, entities, best, score, "comparison_of_the_dimension")
        return True

    def _dimension_missed(self, message: Message, focus: str, entities: List[dict]) -> None:
        if any(e.get("entity") == "dimension" for e in entities):
            return
        # "which of the two does this": the story's task; a request for the whole difference stays whole
        whole_difference = (message.get(INTENT) or {}).get("name") == "ask_difference" and (
            _COMPARES.search(focus) or not _WHICH_OF_TWO.search(focus)
        )  # 那我这岗位是运营还是推广专员: which of the two the story's task is, not the whole difference
        story = None if whole_difference else self._story_dimension(message, entities)
        told = len(message.get(FULL_TEXT) or "") - len(focus) >= MIN_STORY
        if story and told and _WHICH_OF_TWO.search(focus) and not dimensions_in(focus):
            # 我在淘宝店负责上新、打理店铺……那我这岗位是运营还是推广专员: the task told, not 岗位's pairs
            return self._add_dimension(message, focus, entities, *story, "story_dimension")
        found = load_index().search(focus, limit=2)
        (best, score), (_, second) = found[0], found[1]
        # (计划组织那一套说的是哪个区别: half the words, and twice the next section's share)
        ahead = score >= self.config["dimension_at"] and score - second >= 0.1
        if best.dimension and (ahead or (score >= self.config["suggest_at"] and second <= score / 2)):
            return self._add_dimension(message, focus, entities, best, score, "dimension")
        if story:
            self._add_dimension(message, focus, entities, *story, "story_dimension")

    def _story_dimension(self, message: Message, entities: List[dict]) -> Optional[Tuple[Section, float]]:
        """The dimension of the named roles' comparison that the task a story describes belongs to
        (想招个人管店铺日常、整理上架的商品，这种活是淘宝运营干的还是推广专员干的)."""
        full = message.get(FULL_TEXT)
        kb = load_kb()
        named = _roles(entities)
        pair = (kb.comparison_for(named) or kb.stand_in_comparison(named)) if len(named) == 2 else None
        if len(named) == 1 and len(kb.comparisons_with(next(iter(named)))) == 1:
            pair = kb.comparisons_with(next(iter(named)))[0]  # 我店里招的推广专员，这一礼拜都在上新、整理商品
        if not full or pair is None:
            return None
        index = load_index()
        ranked = index.search(full, limit=len(index.sections), without_roles=True)
        # 引入资金、找合作这些是推广干的还是运营干的: the page's title pair, so the task says which comparison
        own = [
            (section, score)
            for section, score in ranked
            if section.dimension and (section.comparison == pair or pair == "overview")
        ]
        (best, score), (_, second) = own[0], own[1]
        # a story is mostly words the page does not hold: only a dimension well ahead of the others
        return (best, score) if score >= self.config["story_dimension_at"] and second <= score / 2 else None

    @staticmethod
    def _add_dimension(message: Message, focus: str, entities: List[dict], best: Section, score: float, how: str):
        extra = {"entity": "dimension", "value": best.dimension, "start": 0, "end": len(focus)}
        message.set(ENTITIES, entities + [{**extra, "extractor": "PageIndexMatcher"}], add_to_output=True)
        if not any(e.get("entity") == "comparison" for e in entities):
            comparison = {"entity": "comparison", "value": best.comparison, "start": 0, "end": len(focus)}
            message.set(ENTITIES, message.get(ENTITIES) + [{**comparison, "extractor": "PageIndexMatcher"}])
        message.set(PAGE_MATCH, {"decision": how, "section": best.key, "score": round(score, 3)}, True)

    def _fact_better_supported(self, message: Message, fact: Optional[str]) -> bool:
        """The fact whose words the whole message says most (一篇阅读10万+的推文，啥也没买，对市场部是不是
        白干了: 阅读, 10万, 推文 against 市场部), when it says three or more of them: another fact far
        ahead of the classifier's replaces it; the classifier's own is confirmed even where only the
        story, not the question sentence, holds its words. Role names are not counted."""
        kb = load_kb()
        full = message.get(FULL_TEXT) or ""
        text = full if full and corrected(full) is None else message.get(TEXT) or ""
        roles = set(kb.names_of_subjects())
        hits = {key: kb.evidence_hits(key, text, ignore=roles) for key in kb.facts}
        best = max(hits, key=hits.get)
        # against the classifier's fact, or (declined, unsure: fact None) against the next fact
        rival = hits[fact] if fact else max(v for k, v in hits.items() if k != best)
        if hits[best] < self.config["evidence_vote_at"]:
            return False
        if best != fact and hits[best] < rival + self.config["evidence_vote_margin"]:
            return False
        confidence = max((message.get(INTENT) or {}).get("confidence", 0.0), self.config["evidence_vote_confidence"])
        message.set(INTENT, {"name": kb.facts[best]["intent"], "confidence": confidence}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "evidence_vote", "fact": best, "hits": hits[best]}, True)
        return True

    def _fact_unsupported(self, message: Message, focus: str, fact: str) -> None:
        # the question with its references as typed too: 两边都躲不掉 holds 两边都 before 两边 became
        # the roles' names
        typed = focus
        for note in (message.get(READING) or {}).get("references") or []:
            said, _, put = str(note).partition("=")
            typed = typed.replace(put, said, 1) if put else typed
        kb = load_kb()
        if any(kb.fact_supported(fact, text) for text in {focus, typed}):
            # 这就是文章说的商品整合？归淘宝运营管的: one character of the fact (归) against another section's
            # own words, which the index is sure of
            said = [w for w in kb.facts[fact].get("evidence") or [] if kb.evidence_hits(fact, focus) and w in focus]
            if any(len(w) > 1 for w in said):
                return
            ranked = load_index().search(focus, limit=len(load_index().sections), without_roles=True)
            best, score = ranked[0]
            own = next((v for sec, v in ranked if sec.key == fact), 0.0)
            if best.key == fact or score < self.config["suggest_at"] or score - own < self.config["fact_margin"]:
                return
        entities = message.get(ENTITIES) or []
        if self._own_fact_of_the_role(message, focus, entities, fact):
            return
        if load_kb().fact_negated(fact, focus) and self._comparison_instead(message, focus, entities, fact):
            return  # 市场部和运营部工作有啥不一样: 一样 is negated
        index = load_index()
        ranked = index.search(focus, limit=len(index.sections), without_roles=True)
        scores = {section.key: score for section, score in ranked}
        best, runner_up = ranked[0][0], ranked[1][1]
        # a tie at the top (这算市场的活还是运营的活: 还是, 活 alone cover three sections) decides nothing
        # 同时接了市场部和运营部的报表需求: 数据分析 of 电商运营's content is not the pair the message names
        pair = self._pair(entities)
        if (
            best.key != fact
            and scores[best.key] - scores.get(fact, 0.0) >= self.config["fact_margin"]
            and scores[best.key] > runner_up
            and (pair in (None, "overview") or best.comparison in (None, pair))
        ):
            return self._answer(message, best, scores[best.key], "instead_of_fact")
        if self._fact_the_words_say(message, focus):
            return
        if self._told_a_story_of_the_pair(message, focus, fact) and self._comparison_instead(
            message, focus, entities, fact
        ):
            return  # 周报A：发布会…，周报B：注册用户…，各是市场还是运营: what the story says, of their comparison
        confidence = (message.get(INTENT) or {}).get("confidence", 1.0)
        whole = message.get(FULL_TEXT) or focus
        if confidence < self.config["fact_of_pair_below"] and self._comparison_instead(
            message, focus, entities, fact, strict=True
        ):
            return  # ……KPI全是注册量……你们这篇里运营和市场是怎么划分的, 哪一步归谁 at 0.30: the named pair's comparison
        if confidence < self.config["fact_without_page_words_below"] and not entities:
            if not names_page(whole):
                # 可以直接转载吗？要交授权费吗？ read as the 10W example: nothing of the page is said
                message.set(INTENT, {"name": "out_of_scope", "confidence": confidence}, add_to_output=True)
                message.set(PAGE_MATCH, {"decision": "nothing_of_the_page", "instead_of": fact}, True)
                return
        kb = load_kb()
        if (
            kb.facts[fact].get("evidence")
            and not kb.fact_supported(fact, whole)
            and not self._role_of_the_fact(fact, entities)
        ):
            if self._runner_up_with_its_words(message, whole, fact):
                return  # ……观点都是你们原创的吧，没参考别人的东西: the sources, ranked second
            # 就想看看你这儿能聊哪些话题 read as the 10W example at 0.97: not one word of it in the whole
            # message, nor its role: unsure, so that the cue words and the clarification take it
            message.set(INTENT, {"name": "nlu_fallback", "confidence": min(confidence, 0.5)}, add_to_output=True)
            message.set(PAGE_MATCH, {"decision": "fact_without_its_words", "instead_of": fact}, True)

    def _one_roles_comparison(self, message: Message, focus: str, entities: List[dict]) -> bool:
        """Unsure, one role named that the page compares with one other only: its comparison when the
        question compares (现在做市场最大的不同到底在哪), or the dimension the story's task tells
        (我店里招的推广专员，这礼拜都在上新、整理商品……算他的本职吗)."""
        kb = load_kb()
        named = _roles(entities)
        owned = kb.comparisons_with(next(iter(named))) if len(named) == 1 else []
        if len(owned) != 1:
            return False
        comparison = {"entity": "comparison", "value": owned[0], "start": 0, "end": len(focus)}
        if _COMPARES.search(focus):
            kept = [e for e in entities if e.get("entity") != "comparison"]
            message.set(ENTITIES, kept + [{**comparison, "extractor": "PageIndexMatcher"}], add_to_output=True)
            message.set(INTENT, {"name": "ask_difference", "confidence": 0.6}, add_to_output=True)
            message.set(PAGE_MATCH, {"decision": "one_roles_comparison", "section": owned[0]}, True)
            return True
        told = len(message.get(FULL_TEXT) or "") - len(focus) >= MIN_STORY
        story = self._story_dimension(message, entities) if told else None
        if story is None:
            return False
        message.set(INTENT, {"name": "ask_dimension", "confidence": 0.6}, add_to_output=True)
        self._add_dimension(message, focus, entities, *story, "story_dimension")
        return True

    def _fact_of_the_told_pair(self, message: Message) -> bool:
        """Unsure, the whole message naming both roles of a comparison and two or more words of one
        fact of it, more than of any other (我是运营岗，半年都在写文案、搞活动……其实是市场的活?)."""
        kb = load_kb()
        whole = message.get(FULL_TEXT) or message.get(TEXT) or ""
        pair = kb.comparison_for({k for _, _, k in subject_mentions(whole)})
        if pair in (None, "overview"):
            return False
        roles = set(kb.names_of_subjects())
        hits = {k: kb.evidence_hits(k, whole, ignore=roles) for k, f in kb.facts.items() if f.get("comparison") == pair}
        ranked = sorted(hits.items(), key=lambda kv: -kv[1])
        if not ranked or ranked[0][1] < MIN_WORDS_OF_ANOTHER_FACT or (len(ranked) > 1 and ranked[1][1] >= ranked[0][1]):
            return False
        best = ranked[0][0]
        message.set(INTENT, {"name": kb.facts[best]["intent"], "confidence": 0.6}, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": "fact_of_the_told_pair", "fact": best, "hits": ranked[0][1]}, True)
        return True

    def _runner_up_with_its_words(self, message: Message, whole: str, fact: Optional[str], min_words: int = 1) -> bool:
        """The fact the classifier ranked next, fairly likely and with its words in the message, when
        its first choice has none of its own (or was a decline: then two of the fact's words)."""
        kb = load_kb()
        roles = set(kb.names_of_subjects())
        for ranked in (message.get(INTENT_RANKING_KEY) or [])[1:3]:
            other = kb.fact_for_intent(ranked.get("name") or "")
            if other and other != fact and ranked.get("confidence", 0) >= self.config["pair_intent_at"]:
                own_role = kb.facts[other].get("subject")
                if fact is None and own_role and own_role not in _roles(message.get(ENTITIES) or []):
                    continue  # 具体各做哪些事 after a decline: 运营's duties only when 运营 is named
                if kb.fact_supported(other, whole) and kb.evidence_hits(other, whole, ignore=roles) >= min_words:
                    confidence = max(ranked["confidence"], self.config["evidence_vote_confidence"])
                    message.set(INTENT, {"name": ranked["name"], "confidence": confidence}, add_to_output=True)
                    message.set(PAGE_MATCH, {"decision": "runner_up_with_its_words", "fact": other}, True)
                    return True
        return False

    @staticmethod
    def _answer(message: Message, section: Section, score: float, how: str) -> None:
        entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") not in ("comparison", "dimension")]
        end = len(message.get(TEXT) or "")
        for name, value in (("comparison", section.comparison), ("dimension", section.dimension)):
            if value:
                entities.append(
                    {"entity": name, "value": value, "start": 0, "end": end, "extractor": "PageIndexMatcher"}
                )
        message.set(ENTITIES, entities, add_to_output=True)
        chosen = {"name": section.intent, "confidence": round(max(score, 0.5), 3)}
        ranking = [chosen] + [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != section.intent]
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        message.set(PAGE_MATCH, {"decision": how, "section": section.key, "score": round(score, 3)}, add_to_output=True)


def _says_understood(clause: str) -> bool:
    for cue in glossary()["understood"]:
        at = clause.find(cue)
        if at >= 0 and clause[at - 1 : at] not in ("没", "不"):
            return True
    return False


def _set_aside(focus: str, gap: dict) -> bool:
    start = int(gap.get("start", 0))
    before = focus[max(0, start - 4) : start]
    return any(before.endswith(w) or before[:-1].endswith(w) for w in glossary()["sets_aside"])


@lru_cache(maxsize=1)
def _length_asked() -> re.Pattern:
    words = "|".join(map(re.escape, glossary()["answer_length"]))
    return re.compile(f"(?:{words})[^，,。！!？?]{{0,4}}?(?:就够了?|就行了?|就好|即可|足够)?")


def _fact_whose_words_are_said(focus: str) -> Optional[Tuple[str, int]]:
    """(fact, hits): the one fact two or more of whose words (not role names) the question says."""
    kb = load_kb()
    roles = set(kb.names_of_subjects())
    hits = {key: kb.evidence_hits(key, focus, ignore=roles) for key in kb.facts}
    ranked = sorted(hits.items(), key=lambda kv: -kv[1])
    (best, most), (_, next_most) = ranked[0], ranked[1]
    if most < MIN_WORDS_OF_ANOTHER_FACT or most == next_most:
        return None
    return best, most


_SETTING_BEFORE = re.compile(r"(?:放到|放在|用到|用在|换到|搬到|套到|照搬到|挪到)[^，,。？?！!]{0,8}$")
_SETTING_AFTER = re.compile(
    r"^[^，,。？?！!]{0,10}?(?:也适用|还适用|适用吗|适不适用|也一样|还一样|也成立|还成立|也管用|也是这样|也这样)"
)


def _a_setting(focus: str, gap: dict) -> bool:
    """Whether a gap word names where a claim would be applied (放到直播带货团队里也一样吗 / 对35岁转行的人也适用吗)."""
    start, end = int(gap.get("start", 0)), int(gap.get("end", 0))
    return bool(_SETTING_BEFORE.search(focus[:start]) or _SETTING_AFTER.search(focus[end:]))


def _roles(entities: List[dict]) -> set:
    """The page's roles (subject keys) the entities name."""
    kb = load_kb()
    return {kb.subject_key(e.get("value")) for e in entities if e.get("entity") == "subject"} - {None}
