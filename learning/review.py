"""The review queue: visitor messages the assistant may have misread, grouped by wording.

A message is in the queue when the first action that answered it asked to clarify
(action_clarify) or declined (action_decline), when the answer said the page does not cover it
(a `gap` entity), when the classifier was unsure of it (below LOW_CONFIDENCE), or when the visitor
rated its answer 没用. Messages with the same normalised text (learning.labels.normalised) form
one group; a group leaves the queue once a staff member decided it (the `review_decisions` table
in the leads database: answered right, a topic, or out of scope) or its text is in the training
data. Read from the tracker store's events table and the ratings table, off the event loop."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Dict, List, Optional, Set

import sqlalchemy as sa

from conversation_store.archive import DECLINED, EVENTS, NOT_UNDERSTOOD
from learning.labels import normalised
from web_app.ratings import ratings_table

LOW_CONFIDENCE = 0.5  # the intent classifier's confidence below which an answer is worth a look
DAYS = 30
MAX_GROUPS = 300
CACHE_SECONDS = 15.0  # how long the console reuses one reading of the events
REASONS = ("not_understood", "declined", "gap", "low_confidence", "rated_useless")
DECISIONS = ("right", "topic", "out_of_scope")

metadata = sa.MetaData()
decisions_table = sa.Table(
    "review_decisions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.String(400), nullable=False, index=True),  # the normalised text
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("decision", sa.String(16), nullable=False),
    sa.Column("intent", sa.String(64)),
    sa.Column("account", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)


@dataclass
class Seen:
    """One visitor message in the queue."""

    sender: str
    text: str
    at: datetime
    intent: Optional[str]
    confidence: Optional[float]
    reasons: Set[str] = field(default_factory=set)


@dataclass
class Group:
    key: str
    messages: List[Seen] = field(default_factory=list)

    @property
    def newest(self) -> Seen:
        return max(self.messages, key=lambda m: m.at)

    @property
    def count(self) -> int:
        return len(self.messages)

    @property
    def reasons(self) -> List[str]:
        found = set().union(*(m.reasons for m in self.messages))
        return [r for r in REASONS if r in found]

    @property
    def read_as(self) -> Optional[str]:
        return self.newest.intent


class Decisions:
    def __init__(self, engine: sa.engine.Engine, clock=time.time):
        self.engine, self.clock = engine, clock
        self._created = False
        self._lock = threading.Lock()

    def _create(self) -> None:
        with self._lock:
            if not self._created:
                metadata.create_all(self.engine, checkfirst=True)
                self._created = True

    def record(self, text: str, decision: str, account: str, intent: Optional[str] = None) -> None:
        if decision not in DECISIONS:
            raise ValueError(decision)
        self._create()
        with self.engine.begin() as connection:
            connection.execute(
                decisions_table.insert().values(
                    key=normalised(text)[:400],
                    text=text[:1000],
                    decision=decision,
                    intent=intent,
                    account=account[:64],
                    created_at=self.clock(),
                )
            )

    def keys(self) -> Set[str]:
        self._create()
        with self.engine.connect() as connection:
            return set(connection.execute(sa.select(decisions_table.c.key)).scalars())

    def recent(self, limit: int = 50) -> list:
        self._create()
        query = sa.select(decisions_table).order_by(decisions_table.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return connection.execute(query).all()


def _rows(engine: sa.engine.Engine, query) -> list:
    try:
        with engine.connect() as connection:
            return connection.execute(query).all()
    except (sa.exc.OperationalError, sa.exc.ProgrammingError):
        return []  # no conversation or no rating yet: the table does not exist


def queue(
    events_engine: sa.engine.Engine,
    decided: Set[str],
    known: Set[str],
    since: Optional[float] = None,
    low_confidence: float = LOW_CONFIDENCE,
) -> List[Group]:
    """The groups to review, the most frequent first; `decided` and `known` are normalised texts
    to leave out (decided in the console, already training data)."""
    return grouped(misread(events_engine, since, low_confidence), decided, known)


def misread(
    events_engine: sa.engine.Engine, since: Optional[float] = None, low_confidence: float = LOW_CONFIDENCE
) -> List[Seen]:
    """Every visitor message since `since` with the reasons it may have been misread (the
    events are read once; the console keeps the result for CACHE_SECONDS)."""
    since = time.time() - DAYS * 86400 if since is None else since
    query = (
        sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.action_name, EVENTS.c.data)
        .where(EVENTS.c.timestamp >= since, EVENTS.c.type_name.in_(("user", "action", "bot")))
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    down = {
        (conversation, int(target))
        for conversation, target in _rows(
            events_engine,
            sa.select(ratings_table.c.conversation_id, ratings_table.c.target).where(
                ratings_table.c.kind == "answer", ratings_table.c.value == "down", ratings_table.c.created_at >= since
            ),
        )
        if str(target).isdigit()
    }
    found: List[Seen] = []
    sender, current, answered, bots = None, None, False, 0
    for row_sender, type_name, timestamp, action, data in _rows(events_engine, query):
        if row_sender != sender:
            sender, current, answered, bots = row_sender, None, False, 0
        if type_name == "user":
            event = json.loads(data)
            text = (event.get("text") or "").strip()
            if not text or text.startswith("/"):
                current = None  # a button's payload: nothing typed to review
                continue
            parse = event.get("parse_data") or {}
            intent = parse.get("intent") or {}
            confidence = intent.get("confidence")
            current = Seen(
                sender, text, datetime.fromtimestamp(timestamp or 0, timezone.utc), intent.get("name"), confidence
            )
            found.append(current)
            answered = False
            if any(e.get("entity") == "gap" for e in parse.get("entities") or [] if isinstance(e, dict)):
                current.reasons.add("gap")
        elif type_name == "action" and current is not None and action != "action_listen" and not answered:
            answered = True
            if action in NOT_UNDERSTOOD:
                current.reasons.add("not_understood")
            elif action in DECLINED:
                current.reasons.add("declined")
            elif isinstance(current.confidence, (int, float)) and current.confidence < low_confidence:
                current.reasons.add("low_confidence")  # answered, though the classifier was unsure
        elif type_name == "bot":
            bots += 1
            if current is not None and (sender, bots) in down:
                current.reasons.add("rated_useless")
    return [seen for seen in found if seen.reasons]


def grouped(found: List[Seen], decided: Set[str], known: Set[str]) -> List[Group]:
    groups: Dict[str, Group] = {}
    for seen in found:
        key = normalised(seen.text)
        if not seen.reasons or not key or key in decided or key in known:
            continue
        groups.setdefault(key, Group(key)).messages.append(seen)
    ordered = sorted(groups.values(), key=lambda g: (-g.count, -g.newest.at.timestamp()))
    return ordered[:MAX_GROUPS]
