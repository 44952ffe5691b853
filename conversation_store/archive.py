"""What the staff console reads from the tracker store's events table: one conversation's
messages, and the figures of the report. Read-only; SQLite (`make run`) or PostgreSQL (the
stack), from the same settings the Rasa server uses."""

from __future__ import annotations

import json
import os
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Optional
from urllib.parse import quote_plus

import sqlalchemy as sa

from assistant import settings

ROOT = Path(__file__).resolve().parent.parent
EVENTS = sa.table(
    "events",
    sa.column("id"),
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("intent_name"),
    sa.column("action_name"),
    sa.column("data"),
)
# How a turn ended, by the first action that answered the visitor's message.
NOT_UNDERSTOOD = {"action_clarify"}
DECLINED = {"action_decline"}
HANDOFF = {"action_handoff"}
ANSWERS = {"action_answer_comparison", "action_answer_fact"}
TOPIC_SLOTS = ("comparison", "fact")  # which page question an answer was about


def tracker_database_url(environ=os.environ) -> str:
    """The stack's PostgreSQL (TRACKER_DB_*) when set, else `make run`'s SQLite file."""
    host = settings.TRACKER_DB_HOST.value(environ)
    if host:
        user = quote_plus(settings.TRACKER_DB_USER.value(environ))
        password = settings.TRACKER_DB_PASSWORD.value(environ)
        credentials = f"{user}:{quote_plus(password)}" if password else user
        return (
            f"postgresql://{credentials}@{host}:{settings.TRACKER_DB_PORT.value(environ)}/"
            f"{settings.TRACKER_DB_NAME.value(environ)}"
        )
    return f"sqlite:///{settings.TRACKER_SQLITE_PATH.path(environ)}"


@dataclass
class Message:
    at: datetime
    visitor: bool
    text: str
    agent: Optional[str] = None  # the staff member who wrote it, when a person had taken over
    buttons: List[str] = field(default_factory=list)  # the titles of the bot message's buttons
    page: Optional[str] = None  # the page the widget was on when the visitor wrote it

    @property
    def who(self) -> str:
        return "visitor" if self.visitor else "agent" if self.agent else "assistant"


@dataclass
class Asked:
    """Visitor messages that ended the same way, grouped by what they say."""

    count: int
    newest_text: str
    newest_at: datetime


@dataclass
class Report:
    days: List[tuple] = field(default_factory=list)  # (date, conversations, messages)
    not_understood: List[Asked] = field(default_factory=list)
    declined: List[Asked] = field(default_factory=list)
    topics: List[tuple] = field(default_factory=list)  # (topic key, times answered)
    handoffs: int = 0
    callback_forms: int = 0
    conversations: int = 0
    messages: int = 0


def tapped_button(event: dict) -> str:
    """What the visitor saw for a payload message (/affirm, /request_human): the title of the
    button they tapped, which the widget sends as metadata; "" for one they never saw (the
    widget's /greet on opening), which the transcript leaves out."""
    metadata = event.get("metadata")
    title = metadata.get("button") if isinstance(metadata, dict) else None
    return title if isinstance(title, str) else ""


def _page(event: dict) -> Optional[str]:
    metadata = event.get("metadata")
    page = metadata.get("page") if isinstance(metadata, dict) else None
    return page if isinstance(page, str) else None


def _button_titles(event: dict) -> List[str]:
    buttons = (event.get("data") or {}).get("buttons") or []
    return [b["title"] for b in buttons if isinstance(b, dict) and isinstance(b.get("title"), str)]


def _grouping_key(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text).casefold()


class Archive:
    def __init__(self, url: Optional[str] = None):
        self.engine = sa.create_engine(url or tracker_database_url(), future=True, pool_pre_ping=True)

    def _rows(self, query) -> list:
        try:
            with self.engine.connect() as connection:
                return connection.execute(query).all()
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            return []  # no conversation yet: the table does not exist

    def conversation(self, sender_id: str) -> List[Message]:
        query = (
            sa.select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name.in_(("user", "bot")))
            .order_by(EVENTS.c.id)
        )
        messages = []
        for type_name, timestamp, data in self._rows(query):
            event = json.loads(data)
            text = event.get("text")
            if type_name == "user" and text and text.startswith("/"):
                text = tapped_button(event)
            metadata = event.get("metadata") if type_name == "bot" else None
            agent = metadata.get("agent") if isinstance(metadata, dict) and "takeover" not in metadata else None
            if text:
                messages.append(
                    Message(
                        datetime.fromtimestamp(timestamp or 0, timezone.utc),
                        type_name == "user",
                        text,
                        agent if isinstance(agent, str) else None,
                        _button_titles(event) if type_name == "bot" else [],
                        _page(event) if type_name == "user" else None,
                    )
                )
        return messages

    def report(self, since: date, tz) -> Report:
        start = datetime.combine(since, datetime.min.time(), tz).timestamp()
        query = (
            sa.select(EVENTS.c.sender_id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.action_name, EVENTS.c.data)
            .where(EVENTS.c.timestamp >= start, EVENTS.c.type_name.in_(("user", "action", "slot", "active_loop")))
            .order_by(EVENTS.c.sender_id, EVENTS.c.id)
        )
        report = Report()
        per_day: Dict[date, list] = defaultdict(lambda: [set(), 0])
        groups = {"not_understood": {}, "declined": {}}
        topics: Counter = Counter()
        pending: Optional[tuple] = None  # the visitor message whose answer is not seen yet
        answered_by = None
        topic: Dict[str, str] = {}  # the page question an answer was about: its slots

        def count_topic() -> None:
            key = topic.get("fact") or topic.get("comparison")  # a fact is more precise
            if key:
                topics[key] += 1
            topic.clear()

        for sender, type_name, timestamp, action, data in self._rows(query):
            if pending and pending[0] != sender:
                count_topic()
                pending, answered_by = None, None
            if type_name == "user":
                text = (json.loads(data).get("text") or "").strip()
                if not text or text.startswith("/"):
                    continue  # a button's payload, not something typed
                count_topic()
                at = datetime.fromtimestamp(timestamp, timezone.utc)
                day = per_day[at.astimezone(tz).date()]
                day[0].add(sender)
                day[1] += 1
                pending, answered_by = (sender, text, at), None
            elif type_name == "action" and pending and action != "action_listen":
                if answered_by is None:
                    answered_by = action
                    kind = "not_understood" if action in NOT_UNDERSTOOD else "declined" if action in DECLINED else None
                    if kind:
                        self._count(groups[kind], pending[1], pending[2])
                    report.handoffs += action in HANDOFF
            elif type_name == "slot" and pending and answered_by in ANSWERS:
                event = json.loads(data)
                if event.get("name") in TOPIC_SLOTS and event.get("value"):
                    topic[event["name"]] = event["value"]
            elif type_name == "active_loop" and json.loads(data).get("name") == "callback_form":
                report.callback_forms += 1
        count_topic()
        report.days = sorted(((d, len(v[0]), v[1]) for d, v in per_day.items()), reverse=True)
        report.conversations = len(set().union(*(v[0] for v in per_day.values()))) if per_day else 0
        report.messages = sum(v[1] for v in per_day.values())
        for kind, grouped in groups.items():
            setattr(report, kind, sorted(grouped.values(), key=lambda a: (-a.count, -a.newest_at.timestamp())))
        report.topics = topics.most_common()
        return report

    @staticmethod
    def _count(grouped: Dict[str, Asked], text: str, at: datetime) -> None:
        key = _grouping_key(text) or text
        found = grouped.get(key)
        if found is None:
            grouped[key] = Asked(1, text, at)
            return
        found.count += 1
        if at >= found.newest_at:
            found.newest_text, found.newest_at = text, at


def since_days(days: int, tz) -> date:
    return datetime.now(tz).date() - timedelta(days=days - 1)
