"""Visitors' ratings from the widget: 有用/没用 under an answer, and 满意/一般/不满意 when they
close the chat. Kept beside the conversation (the tracker store's database, keyed by the
conversation id the channel uses, `web:<session id>`); the staff report counts them.

Only a conversation's own widget may rate it, and only once:
- a rating carries the conversation's session id and its token (channels/rating_token.py: an
  HMAC of the conversation id that the Rasa server's widget channel hands out): 403 without;
- an answer is rated once (`target`, its number, must be one of the conversation's answers:
  404 otherwise) and the conversation once (after the visitor said something): a second
  rating is refused with 409, never overwrites the first;
- each client address may send RATE_BURST at once, then one every 1 / RATE_PER_SECOND
  seconds (429 with Retry-After beyond);
- the table keeps ratings for RETENTION_DAYS and at most MAX_ROWS of them (the oldest go).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Optional

import sqlalchemy as sa

from channels import rating_token
from channels.namespaces import widget_conversation

VALUES = {"answer": {"up", "down"}, "chat": {"good", "ok", "bad"}}
_SESSION = re.compile(r"[A-Za-z0-9_-]{8,64}")
_TARGET = re.compile(r"[1-9]\d{0,5}")
RATE_BURST = 20
RATE_PER_SECOND = 0.5
MAX_TRACKED_ADDRESSES = 50_000
RETENTION_DAYS = 400
MAX_ROWS = 500_000
PRUNE_EVERY = 500  # inserts between two prunings

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
    sa.Index("ux_visitor_ratings_once", "conversation_id", "kind", "target", unique=True),
    sa.Index("ix_visitor_ratings_created_at", "created_at"),
)
EVENTS = sa.table("events", sa.column("sender_id"), sa.column("type_name"))


class RatingRefused(ValueError):
    """A rating that is not taken: its HTTP status and a short reason."""

    status = 400


class BadRating(RatingRefused):
    status = 400


class Forged(RatingRefused):
    status = 403


class NothingToRate(RatingRefused):
    status = 404


class AlreadyRated(RatingRefused):
    status = 409


def parse(body) -> tuple:
    """(conversation id, token, kind, target, value) from the widget's JSON, or BadRating."""
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
    token = body.get("token")
    if not isinstance(token, str) or not token:
        raise Forged("token is missing: the widget sends the one its conversation was given")
    return widget_conversation(session), token, kind, target, value


class AddressRate:
    """A token bucket per client address, in this process's memory (bounded)."""

    def __init__(self, burst: float = RATE_BURST, per_second: float = RATE_PER_SECOND, clock=time.monotonic):
        self.burst, self.per_second, self.clock = burst, per_second, clock
        self._buckets: OrderedDict[str, tuple] = OrderedDict()
        self._lock = threading.Lock()

    def wait(self, address: str) -> float:
        """0 and one token taken, or the seconds until the address may send again."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(address, (self.burst, now))
            tokens = min(self.burst, tokens + (now - at) * self.per_second)
            if tokens < 1:
                self._buckets[address] = (tokens, now)
                return (1 - tokens) / self.per_second
            self._buckets[address] = (tokens - 1, now)
            while len(self._buckets) > MAX_TRACKED_ADDRESSES:
                self._buckets.popitem(last=False)
            return 0.0


class Ratings:
    def __init__(self, engine: sa.engine.Engine, secret: Optional[str] = None, clock=time.time):
        self.engine = engine
        self.secret = secret
        self.clock = clock
        self._created = False
        self._inserts = 0
        self._lock = threading.Lock()

    def _create(self) -> None:
        """The table, on first use (the database may not exist yet when the web app starts); a
        table made before ratings were once-only loses its duplicates (the first rating stays)."""
        if self._created:
            return
        with self._lock:
            if self._created:
                return
            if self.engine.url.get_backend_name() == "sqlite" and self.engine.url.database:
                Path(self.engine.url.database).parent.mkdir(parents=True, exist_ok=True)
            metadata.create_all(self.engine, checkfirst=True)
            present = {index["name"] for index in sa.inspect(self.engine).get_indexes(ratings_table.name)}
            table = ratings_table
            with self.engine.begin() as connection:
                if "ux_visitor_ratings_once" not in present:
                    first = sa.select(sa.func.min(table.c.id)).group_by(
                        table.c.conversation_id, table.c.kind, table.c.target
                    )
                    connection.execute(table.delete().where(table.c.id.not_in(first.scalar_subquery())))
                for index in table.indexes:
                    index.create(connection, checkfirst=True)
            self._created = True

    def check(self, conversation_id: str, token: str) -> None:
        """Forged unless `token` is the conversation's (channels/rating_token.py)."""
        if not rating_token.valid(conversation_id, token, self.secret or ""):
            raise Forged("this rating does not come from the conversation's own widget")

    def _answers(self, connection, conversation_id: str) -> tuple:
        """(visitor messages, bot messages) of the conversation in the tracker store."""
        query = (
            sa.select(EVENTS.c.type_name, sa.func.count())
            .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(("user", "bot")))
            .group_by(EVENTS.c.type_name)
        )
        try:
            counts = dict(connection.execute(query).all())
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            return 0, 0  # no conversation yet: no events table
        return counts.get("user", 0), counts.get("bot", 0)

    def record(self, conversation_id: str, kind: str, target: str, value: str) -> None:
        """One rating per answer and one per conversation; the first stands."""
        self._create()
        table = ratings_table
        with self.engine.connect() as connection:
            visitor, answers = self._answers(connection, conversation_id)
        if visitor == 0:
            raise NothingToRate("this conversation has no message to rate")
        if kind == "answer" and int(target) > answers:
            raise NothingToRate("the conversation has no answer with this number")
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    table.insert().values(
                        conversation_id=conversation_id, kind=kind, target=target, value=value, created_at=self.clock()
                    )
                )
        except sa.exc.IntegrityError:
            raise AlreadyRated("already rated") from None
        with self._lock:
            self._inserts += 1
            due = self._inserts % PRUNE_EVERY == 1
        if due:
            self.prune()

    def prune(self) -> int:
        """Ratings older than RETENTION_DAYS, and the oldest beyond MAX_ROWS, are deleted."""
        self._create()
        table = ratings_table
        with self.engine.begin() as connection:
            gone = connection.execute(
                table.delete().where(table.c.created_at < self.clock() - RETENTION_DAYS * 86400)
            ).rowcount
            surplus = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() - MAX_ROWS
            if surplus > 0:
                oldest = sa.select(table.c.id).order_by(table.c.created_at, table.c.id).limit(surplus)
                gone += connection.execute(table.delete().where(table.c.id.in_(oldest.scalar_subquery()))).rowcount
        return gone

    def chat_counts_of(self, conversations: list, since: float) -> dict:
        """{value: count} of the chat ratings of these conversations (those an agent answered)."""
        if not conversations:
            return {}
        table = ratings_table
        query = (
            sa.select(table.c.value, sa.func.count())
            .where(table.c.created_at >= since, table.c.kind == "chat", table.c.conversation_id.in_(conversations))
            .group_by(table.c.value)
        )
        try:
            with self.engine.connect() as connection:
                return dict(connection.execute(query).all())
        except (sa.exc.OperationalError, sa.exc.ProgrammingError):
            return {}

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
