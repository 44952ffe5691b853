"""Staff labels as training data: `data/nlu/staff_labels.yml`, in Rasa's format, one example per
label with who labelled it and when as the example's metadata, so a developer reads and keeps it.

A label is refused, not added, when its text (normalised: no spaces, punctuation or case) is
already an example anywhere in `data/` (the same message twice), is in the held-out test set
(training on it would blind the NLU gate), or is an example of another intent (a contradiction:
the console shows the intent it is already under, for a developer to decide)."""

from __future__ import annotations

import os
import re
import tempfile
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import yaml

from assistant import settings

ROOT = Path(__file__).resolve().parent.parent
LABELS_PATH = ROOT / "data" / "nlu" / "staff_labels.yml"
HELD_OUT_PATH = ROOT / "tests" / "nlu_test.yml"
MAX_TEXT = 300  # a label is one visitor message, not a document
HEADER = (
    'version: "3.1"\n'
    "# Labels staff gave in the console's review queue (/staff/review): the visitor's message, the intent\n"
    "# it should have been read as, who labelled it and when. Written by learning/labels.py; a developer may\n"
    "# move an example into the file of its kind, or delete one that was wrong.\n"
)
_MARKUP = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_lock = threading.Lock()


def normalised(text: str) -> str:
    """What two wordings of the same message share: no entity markup, spaces, punctuation or case."""
    return re.sub(r"[\s\W_]+", "", _MARKUP.sub(r"\1", text or "")).casefold()


@dataclass
class Label:
    text: str
    intent: str
    by: str = ""
    at: str = ""


@dataclass
class Outcome:
    """`added`, or why not: `duplicate` (already under this intent), `contradicts` (already under
    `existing_intent`), `held_out` (in the test set), `empty` or `too_long`."""

    status: str
    existing_intent: Optional[str] = None

    @property
    def added(self) -> bool:
        return self.status == "added"


def _examples(path: Path) -> Iterator[Tuple[str, str, dict]]:
    """(intent, text, metadata) of every example of one Rasa NLU file, in both of its forms."""
    content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for block in content.get("nlu") or []:
        intent, examples = block.get("intent"), block.get("examples")
        if not intent or not examples:
            continue
        if isinstance(examples, str):
            for line in examples.splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield intent, line[2:].strip(), {}
        else:
            for example in examples:
                if isinstance(example, dict) and example.get("text"):
                    yield intent, str(example["text"]), example.get("metadata") or {}


class LabelFile:
    def __init__(self, path: Optional[Path] = None, data_dir: Optional[Path] = None, held_out: Path = HELD_OUT_PATH):
        self.path = Path(path) if path else settings.STAFF_LABELS_PATH.path()
        self.data_dir = Path(data_dir) if data_dir else ROOT / "data"
        self.held_out = Path(held_out)

    def labels(self) -> List[Label]:
        if not self.path.exists():
            return []
        return [
            Label(text, intent, str(m.get("by", "")), str(m.get("at", ""))) for intent, text, m in _examples(self.path)
        ]

    def known(self) -> Dict[str, str]:
        """normalised text → intent, for every example of the training data (labels included)."""
        found: Dict[str, str] = {}
        paths = [p for p in sorted(self.data_dir.rglob("*.yml")) if p.name != LABELS_PATH.name] + [self.path]
        for path in [p for p in paths if p.exists()]:
            try:
                for intent, text, _ in _examples(path):
                    found.setdefault(normalised(text), intent)
            except (AttributeError, TypeError):
                continue  # rules and stories: no `nlu` list of intents
        return found

    def check(self, text: str, intent: str) -> Outcome:
        key = normalised(text)
        if not key:
            return Outcome("empty")
        if len(text) > MAX_TEXT:
            return Outcome("too_long")
        existing = self.known().get(key)
        if existing == intent:
            return Outcome("duplicate", existing)
        if existing is not None:
            return Outcome("contradicts", existing)
        if self.held_out.exists() and any(normalised(t) == key for _, t, _ in _examples(self.held_out)):
            return Outcome("held_out")
        return Outcome("added")

    def add(self, text: str, intent: str, by: str, now: Optional[datetime] = None) -> Outcome:
        """Adds the example unless check() refuses it; the file is replaced whole, atomically."""
        text = " ".join((text or "").split())
        with _lock:
            outcome = self.check(text, intent)
            if not outcome.added:
                return outcome
            at = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
            self._write(self.labels() + [Label(text, intent, by, at)])
        return outcome

    def _write(self, labels: List[Label]) -> None:
        by_intent: Dict[str, list] = {}
        for label in labels:
            by_intent.setdefault(label.intent, []).append(
                {"text": label.text, "metadata": {"by": label.by, "at": label.at}}
            )
        body = [{"intent": intent, "examples": examples} for intent, examples in by_intent.items()]
        text = HEADER + yaml.safe_dump({"nlu": body}, allow_unicode=True, sort_keys=False, width=1000)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".staff_labels.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, self.path)
