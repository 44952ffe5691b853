"""Visitors' ratings from the widget: 有用/没用 under an answer, and 满意/一般/不满意 when they
close the chat. Kept beside the conversation (the tracker store's database, keyed by the
conversation id the channel uses, `web:<session id>`); the staff report counts them."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Optional

import sqlalchemy as sa

from channels.namespaces import widget_conversation

VALUES = {"answer": {"up", "down"}, "chat": {"good", "ok", "bad"}}
_SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")
_TARGET = re.compile(r"\d{1,6}")

metadata = sa.MetaData()
ratings_table = sa.Table(
    "visitor_ratings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("target", sa.String(16), nullable=False),  # which answer (its number); "" for the chat
    sa.Column("value", sa.String(16), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)


class BadRating(ValueError):
    pass


def parse(body) -> tuple:
    """(conversation id, kind, target, value) from the widget's JSON, or BadRating."""
    if not isinstance(body, dict):
        raise BadRating("a JSON object is expected")
    session, kind, value = body.get("session_id"), body.get("kind"), body.get("value")
    target = str(body.get("target", "")) if kind == "answer" else ""
    if not isinstance(session, str) or not _SESSION.fullmatch(session):
        raise BadRating("session_id is missing or malformed")
    if kind not in VALUES or value not in VALUES[kind]:
        raise BadRating(f"kind must be one of {sorted(VALUES)} with a value of its own")
    if kind == "answer" and not _TARGET.fullmatch(target):
        raise BadRating("target must be the answer's number")
    return widget_conversation(session), kind, target, value


class Ratings:
    def __init__(self, engine: sa.engine.Engine):
        self.engine = engine
        self._created = False

    def _create(self) -> None:
        """The table, on first use (the database may not exist yet when the web app starts)."""
        if self._created:
            return
        if self.engine.url.get_backend_name() == "sqlite" and self.engine.url.database:
            Path(self.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
        metadata.create_all(self.engine, checkfirst=True)
        self._created = True

    def record(self, conversation_id: str, kind: str, target: str, value: str) -> None:
        """One rating per answer (or chat) of a conversation: a second click changes it."""
        self._create()
        table = ratings_table
        with self.engine.begin() as connection:
            connection.execute(
                table.delete().where(
                    table.c.conversation_id == conversation_id, table.c.kind == kind, table.c.target == target
                )
            )
            connection.execute(
                table.insert().values(
                    conversation_id=conversation_id, kind=kind, target=target, value=value, created_at=time.time()
                )
            )

    def counts(self, since: float, conversation_id: Optional[str] = None) -> dict:
        """{(kind, value): count} from `since` (a UNIX time)."""
        table = ratings_table
        query = (
            sa.select(table.c.kind, table.c.value, sa.func.count())
            .where(table.c.created_at >= since)
            .group_by(table.c.kind, table.c.value)
        )
        if conversation_id:
            query = query.where(table.c.conversation_id == conversation_id)
        try:
            with self.engine.connect() as connection:
                return {(kind, value): n for kind, value, n in connection.execute(query)}
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            return {}  # nobody has rated yet: no table
