"""The assistant's own words (kb/dialogue.yml): every sentence, button title and layout a visitor
reads that is not a quote of the page. {phone} and {wechat} come from the page's contacts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from assistant.kb import ROOT_DIR, load_kb
from assistant.kb_schema import validated_phrasebook

PHRASEBOOK_PATH = ROOT_DIR / "kb" / "dialogue.yml"


@dataclass(frozen=True, eq=False)
class Phrasebook:
    texts: dict
    buttons: dict
    formats: dict
    numerals: list
    days: dict
    more_words: list
    callback: dict
    contacts: dict

    def say(self, key: str, **values) -> str:
        """A sentence, with {placeholders} filled (the contacts are always there)."""
        return self.texts[key].format(**{**self.contacts, **values})

    def button(self, key: str, **values) -> str:
        return self.buttons[key].format(**values)

    def format(self, key: str, **values) -> str:
        return self.formats[key].format(**values)

    def numeral(self, n: int) -> str:
        return self.numerals[n] if 0 <= n < len(self.numerals) else str(n)


def read_phrasebook(path: Path = PHRASEBOOK_PATH, contacts: dict | None = None) -> Phrasebook:
    data = validated_phrasebook(yaml.safe_load(path.read_text(encoding="utf-8")), path).dict()
    contacts = contacts if contacts is not None else load_kb().contacts
    return Phrasebook(contacts={k: v for k, v in contacts.items() if k != "text"}, **data)


@lru_cache(maxsize=1)
def load_phrasebook() -> Phrasebook:
    return read_phrasebook()


def say(key: str, **values) -> str:
    return load_phrasebook().say(key, **values)
