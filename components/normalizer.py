"""First step of the NLU pipeline: the text every later component reads is
half-width, Simplified, lower-case Latin, with same-sounding typos of known
terms corrected. Offsets are unchanged (see assistant.text)."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.text import default_corrector, normalize, script_of

SCRIPT = "script"
# Only the start of a very long message is read: the question is there, and the
# featurizers' cost grows with the length (5,000 characters took seconds).
MAX_NLU_CHARS = 500


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ChineseNormalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"correct_typos": True}

    def __init__(self, config: Dict[Text, Any]) -> None:
        self._corrector = default_corrector() if config.get("correct_typos", True) else None

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "ChineseNormalizer":
        return cls(config)

    def _normalize(self, message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text:
            # The actions answer in the visitor's script, which normalising erases.
            message.set(SCRIPT, script_of(text), add_to_output=True)
            message.set(TEXT, normalize(text[:MAX_NLU_CHARS], self._corrector))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages
