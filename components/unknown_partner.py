"""A comparison of a role of the page with something the page never names (市场和销售有什么区别 /
品牌部和市场部有啥不同), after the page index.

The page compares four pairs; a question pairing one of its roles with another word is not one of
them, however near the words of a section come (销售 is in 推广专员's positioning). The message is
marked with an `unpaged` entity holding that word, and the comparison actions say honestly that the
page does not compare the two, with the comparisons it does make (actions/comparisons.py).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from assistant.clauses import subject_mentions
from assistant.kb import load_kb
from assistant.wording import glossary
from components.message_rule import MessageRule

UNPAGED = "unpaged"
_SIDE = r"([\u4e00-\u9fffA-Za-z]{2,8})"
_PAIR = re.compile(
    _SIDE
    + r"\s*(?:和|跟|与|同|及|vs|VS)\s*"
    + _SIDE.replace("}", "}?", 1)
    + r"\s*(?:之间)?(?:的|有|到底|究竟|主要)*\s*(?:什么|啥|何|哪些)?\s*(?:区别|不同|差别|差异|分别|不一样)"
)
# words before a side that are not part of it (请问市场和销售)
_LEADING = re.compile(r"^(?:请问|问下|问一下|想问|那|那么|所以|就是|做|搞|当)+")


@lru_cache(maxsize=1)
def _page_words() -> frozenset:
    """Every name the page's roles, dimensions, facts and gaps go by, and the reference words."""
    kb = load_kb()
    words = set(kb.names_of_subjects())
    words |= {n for d in kb.dimensions.values() for n in [d["name"], *d.get("aliases", [])]}
    words |= {w for f in kb.facts.values() for w in f.get("evidence") or []}
    words |= {n for g in kb.gaps.values() for n in [g["name"], *g["aliases"]]}
    refs = glossary()["references"]
    words |= {w for kind in refs.values() for w in kind}
    return frozenset(w for w in words if len(w) >= 2)


def unpaged_partner(text: str) -> Optional[str]:
    """The word a role of the page is compared with, when the page never names it, else None."""
    m = _PAIR.search(text)
    if not m:
        return None
    first, second = _LEADING.sub("", m.group(1)), m.group(2)
    roles = [bool(subject_mentions(side)) for side in (first, second)]
    if roles.count(True) != 1:
        return None
    other = second if roles[0] else first
    if len(other) < 2 or any(w in other for w in _page_words()) or re.search(r"[我你他它]", other):
        return None
    return other


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UnknownPartner(MessageRule):
    def settle(self, message: Message, text: str) -> None:
        focus = message.get(TEXT)  # the question, not the story around it
        other = unpaged_partner(focus) if isinstance(focus, str) else None
        if other is None:
            return
        entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") not in ("comparison", "dimension")]
        start = focus.find(other)
        entities.append(
            {
                "entity": UNPAGED,
                "value": other,
                "start": start,
                "end": start + len(other),
                "extractor": "UnknownPartner",
            }
        )
        message.set(ENTITIES, entities, add_to_output=True)
        message.set(INTENT, {"name": "ask_difference", "confidence": 1.0}, add_to_output=True)
