"""The topics a staff member assigns a message to: the domain's intents under the names of
kb/topic_names.yml (never an intent id on the page)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional

import yaml

ROOT = Path(__file__).resolve().parent.parent
NAMES_PATH = ROOT / "kb" / "topic_names.yml"
GROUPS = ("page", "service", "talk")


@dataclass(frozen=True)
class Topic:
    intent: str
    name: str
    group: str
    hint: str = ""


@lru_cache(maxsize=1)
def topics() -> List[Topic]:
    content = yaml.safe_load(NAMES_PATH.read_text(encoding="utf-8")) or {}
    return [
        Topic(intent, str(entry["name"]), group, str(entry.get("hint") or ""))
        for group in GROUPS
        for intent, entry in (content.get(group) or {}).items()
    ]


def by_intent() -> Dict[str, Topic]:
    return {topic.intent: topic for topic in topics()}


def name_of(intent: Optional[str]) -> str:
    """The topic's name, or the intent itself when it has none (an intent added since)."""
    found = by_intent().get(intent or "")
    return found.name if found else (intent or "")
