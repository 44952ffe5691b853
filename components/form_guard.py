"""A form starts only when the visitor clearly asked for it, after the classifier.

The callback form asks for a name and a phone number: started on a greeting the classifier
half took for a request (哈喽，我又来啦 at 0.40), it is the assistant's worst misreading. Below
`starts_at`, the classifier's next reading is taken when it is small talk or a page question,
else the message is unsure (nlu_fallback), which asks what was meant.
"""

from __future__ import annotations

from typing import Any, Dict

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from components.message_rule import MessageRule

# correcting a callback request reopens the form too (不用留联系方式吧 at 0.50 is no correction)
FORM_INTENTS = {"request_callback", "correct_lead"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FormStartGuard(MessageRule):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"starts_at": 0.6, "next_at": 0.2}

    def settle(self, message: Message, text: str) -> None:
        intent = message.get(INTENT) or {}
        if intent.get("name") not in FORM_INTENTS or intent.get("confidence", 1.0) >= self.config["starts_at"]:
            return
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent.get("name")]
        runner_up = next((r for r in ranking if r.get("name") not in ("nlu_fallback", "out_of_scope")), None)
        if runner_up and runner_up.get("confidence", 0) >= self.config["next_at"]:
            chosen = {"name": runner_up["name"], "confidence": runner_up["confidence"]}
        else:
            chosen = {"name": "nlu_fallback", "confidence": intent.get("confidence", 0.0)}
        message.set(INTENT, chosen, add_to_output=True)
        message.set("form_guard", {"instead_of": intent.get("name")}, add_to_output=True)
