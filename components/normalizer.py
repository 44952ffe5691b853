"""First step of the NLU pipeline: what every later component reads.

The visitor's text in plain Mandarin Simplified (assistant.wording: Cantonese, Taiwan and
English wording, typos), cut down to the question it asks (assistant.clauses: the story
around it dropped, 前者 / 这两个岗位 replaced by the roles meant, using the conversation's
context that the Rasa server puts into the message metadata). The parse output's
`reading` shows what was read, so `rasa shell nlu` explains a decision; EntityOffsets,
the last step, moves entity offsets back onto the visitor's own characters.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from assistant.clauses import Context, read
from assistant.kb import default_corrector
from assistant.mapped import Mapped
from assistant.pinyin_input import is_pinyin
from assistant.text import is_english, script_of
from assistant.wording import normalize_mapped

SCRIPT = "script"
ENGLISH = "english"
READING = "reading"
TEXT_MAP = "text_map"
FULL_TEXT = "full_text"
# Only the start of a very long message is read: the question is there, and the
# featurizers' cost grows with the length (5,000 characters took seconds).
MAX_NLU_CHARS = 500
# What a message of nothing but control characters or spaces is read as.
BLANK_MESSAGE = "?"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ChineseNormalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"correct_typos": True}

    def __init__(self, config: Dict[str, Any]) -> None:
        self._corrector = default_corrector() if config.get("correct_typos", True) else None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseNormalizer:
        return cls(config)

    def _normalize(self, message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text.startswith("/"):
            return  # a button payload (/intent{"entity": …}): Rasa's RegexMessageHandler reads it as is
        if isinstance(text, str):  # "" too: a turn may have cleaned a message of control characters to nothing
            # The actions answer in the visitor's script, which normalising erases.
            message.set(SCRIPT, script_of(text), add_to_output=True)
            # answered with one English line first (not pinyin: wo xiang wen … is Chinese without characters)
            message.set(ENGLISH, is_english(text) and not is_pinyin(text), add_to_output=True)
            mapped = normalize_mapped(text[:MAX_NLU_CHARS], self._corrector)
            if not mapped.text.strip():
                # Only control characters or spaces: the classifier would get no feature at all.
                mapped = Mapped.of(BLANK_MESSAGE)
            message.set(FULL_TEXT, mapped.text)  # the page index looks for quotations in all of it
            reading = read(mapped, Context.from_metadata(message.get("metadata")))
            message.set(TEXT, reading.focus.text)
            message.set(TEXT_MAP, [list(reading.focus.starts), list(reading.focus.ends)])
            message.set(READING, reading.explain(), add_to_output=True)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize(example)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._normalize(message)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class EntityOffsets(GraphComponent):
    """Entity start/end on what the visitor typed (values stay the canonical terms)."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntityOffsets:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text_map = message.get(TEXT_MAP)
            if not text_map:
                continue
            mapped = Mapped(message.get(TEXT), tuple(text_map[0]), tuple(text_map[1]))
            for entity in message.get(ENTITIES) or []:
                start, end = mapped.original_span(entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END])
                entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = start, end
        return messages
