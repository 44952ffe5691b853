"""The shape the NLU's own rules share: a graph component, not trained, that looks at each message
after the classifier and may settle what it is (Rasa's GraphComponent extension point).

A rule implements `settle(message, text)`; it is called for each message the visitor typed (never
a button's /payload), with `text` the normalised whole message (components.normalizer.FULL_TEXT)
or, without one, the text. `get_default_config` and `self.config` work as in any component.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from components.normalizer import FULL_TEXT


class MessageRule(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        self.config = {**self.get_default_config(), **(config or {})}

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> MessageRule:
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(FULL_TEXT) or message.get(TEXT)
            if isinstance(text, str) and text and not text.startswith("/"):
                self.settle(message, text)
        return messages

    def settle(self, message: Message, text: str) -> None:
        raise NotImplementedError
