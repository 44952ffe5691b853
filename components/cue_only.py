"""Intents only their cue words may carry, after the classifier.

The classifier learns `hold_on` (先别回，等我打完) from a few examples, and then half hears it in
long messages that only tell a story (我把那几种形式再列一下 at 0.4). A message is `hold_on` only
when it says a wait cue (channels/hold.py, `hold.wait` in kb/glossary.yml); otherwise the intent
leaves the classifier's ranking, and what it took is shared among the rest. It runs before the FallbackClassifier, which then judges
the reading that is left.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from channels.hold import HOLD_INTENT, asks_to_wait
from components.message_rule import MessageRule

CUED = {HOLD_INTENT: asks_to_wait}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CueOnlyIntents(MessageRule):
    def settle(self, message: Message, text: str) -> None:
        ranking = message.get(INTENT_RANKING_KEY) or []
        unsaid = {r.get("name") for r in ranking if r.get("name") in CUED and not CUED[r.get("name")](text)}
        if not unsaid:
            return
        ranking = [r for r in ranking if r.get("name") not in unsaid]
        # the rest of the classifier's belief, shared as before (so the fallback threshold after this
        # judges 行，那我晚点打电话过去，先下了 as the goodbye it is, not as half a hold)
        total = sum(r.get("confidence") or 0.0 for r in ranking)
        ranking = [{**r, "confidence": (r.get("confidence") or 0.0) / total} for r in ranking] if total else []
        following = ranking[0] if ranking else {"name": "nlu_fallback", "confidence": 0.0}
        message.set(INTENT, {"name": following["name"], "confidence": following["confidence"]}, add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
