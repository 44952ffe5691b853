"""Requests for a person and the agents who answer them, in the leads database beside the staff
accounts, so the action server (which queues a request), the web app (where agents accept) and
every Rasa replica see the same queue.

- Presence: an agent is online while their console says so and was seen (it polls every few
  seconds) within PRESENCE_SECONDS; a closed tab goes away by itself.
- A request: waiting → accepted (by whom, when) → ended (handed back, or the visitor was idle),
  or missed (nobody online, or nobody accepted within TAKEOVER_ACCEPT_SECONDS). Whether the
  assistant is silent is not kept here: that is the tracker's ConversationPaused.
"""

from __future__ import annotations

import statistics
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import List, Optional

from sqlalchemy import Boolean, Column, Integer, MetaData, String, Table, and_, func, insert, or_, select, update
from sqlalchemy.engine import Engine

from assistant import settings
from leads import store
from leads.store import UTCDateTime
from privacy import audit

PRESENCE_SECONDS = 30
WAITING, ACCEPTED, ENDED, MISSED = "waiting", "accepted", "ended", "missed"
NOBODY_ONLINE, NOT_ACCEPTED, AFTER_HOURS = "nobody_online", "not_accepted", "after_hours"
CALLBACK = "callback"  # the visitor left a callback request instead of waiting
HANDED_BACK, IDLE, NOT_DELIVERED = "handed_back", "idle", "not_delivered"

metadata = MetaData()
presence_table = Table(
    "agent_presence",
    metadata,
    Column("account", String(64), primary_key=True),
    Column("online", Boolean, nullable=False),
    Column("seen_at", UTCDateTime, nullable=False),
)
requests_table = Table(
    "person_requests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("conversation_id", String(255), nullable=False, index=True),
    Column("channel", String(32), nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("reason", String(32)),
    Column("requested_at", UTCDateTime, nullable=False, index=True),
    Column("accepted_at", UTCDateTime),
    Column("agent", String(64)),
    Column("ended_at", UTCDateTime),
    Column("visitor_seen_at", UTCDateTime),
)

_ready: weakref.WeakSet[Engine] = weakref.WeakSet()  # engines whose tables exist
_ready_lock = threading.Lock()


@dataclass(frozen=True)
class Request:
    id: int
    conversation_id: str
    channel: str
    status: str
    reason: Optional[str]
    requested_at: datetime
    accepted_at: Optional[datetime]
    agent: Optional[str]
    ended_at: Optional[datetime]
    visitor_seen_at: Optional[datetime]


@dataclass(frozen=True)
class Place:
    """Where a waiting visitor is: 1 is next."""

    request_id: int
    place: int
    accept_seconds: int


def _now() -> datetime:
    return datetime.now(timezone.utc)


def engine_of(engine: Optional[Engine] = None) -> Engine:
    engine = engine or store.default_engine()
    with _ready_lock:
        if engine not in _ready:
            metadata.create_all(engine)
            _ready.add(engine)
    return engine


def _request(row) -> Request:
    return Request(**{c: row._mapping[c] for c in Request.__dataclass_fields__})


def accept_seconds() -> int:
    return settings.TAKEOVER_ACCEPT_SECONDS.integer()


# --- presence ---------------------------------------------------------------------------------
def set_presence(account: str, online: bool, *, engine: Optional[Engine] = None) -> None:
    engine = engine_of(engine)
    with engine.begin() as conn:
        changed = conn.execute(
            update(presence_table).where(presence_table.c.account == account).values(online=online, seen_at=_now())
        ).rowcount
        if not changed:
            conn.execute(insert(presence_table).values(account=account, online=online, seen_at=_now()))


def seen(account: str, *, engine: Optional[Engine] = None) -> bool:
    """The console polled: the agent is still there. Returns whether they are online."""
    engine = engine_of(engine)
    with engine.begin() as conn:
        conn.execute(update(presence_table).where(presence_table.c.account == account).values(seen_at=_now()))
        row = conn.execute(select(presence_table.c.online).where(presence_table.c.account == account)).first()
    return bool(row and row.online)


def agents_online(*, engine: Optional[Engine] = None, now: Optional[datetime] = None) -> List[str]:
    since = (now or _now()) - timedelta(seconds=PRESENCE_SECONDS)
    with engine_of(engine).connect() as conn:
        rows = conn.execute(
            select(presence_table.c.account).where(presence_table.c.online.is_(True), presence_table.c.seen_at >= since)
        ).all()
    return sorted(r.account for r in rows)


# --- requests ---------------------------------------------------------------------------------
def ask(
    conversation_id: str, channel: str, *, office_open: bool = True, engine: Optional[Engine] = None
) -> Optional[Place]:
    """Queues the conversation during office hours when an agent is online (the request it
    already has, if any); otherwise None, and the request is recorded as missed."""
    engine = engine_of(engine)
    online = agents_online(engine=engine) if office_open else []
    with engine.begin() as conn:
        open_request = conn.execute(
            select(requests_table).where(
                requests_table.c.conversation_id == conversation_id,
                requests_table.c.status.in_((WAITING, ACCEPTED)),
            )
        ).first()
        if open_request is None:
            values = {
                "conversation_id": conversation_id,
                "channel": (channel or "unknown")[:32],
                "requested_at": _now(),
                "status": WAITING if online else MISSED,
                "reason": None if online else NOBODY_ONLINE if office_open else AFTER_HOURS,
            }
            if not online:
                conn.execute(insert(requests_table).values(**values, ended_at=values["requested_at"]))
                return None
            request_id = conn.execute(insert(requests_table).values(**values)).inserted_primary_key[0]
            requested_at = values["requested_at"]
        else:
            request_id, requested_at = open_request.id, open_request.requested_at
        ahead = conn.execute(
            select(func.count())
            .select_from(requests_table)
            .where(requests_table.c.status == WAITING, requests_table.c.requested_at < requested_at)
        ).scalar_one()
    return Place(request_id, ahead + 1, accept_seconds())


def get(request_id: int, *, engine: Optional[Engine] = None) -> Optional[Request]:
    with engine_of(engine).connect() as conn:
        row = conn.execute(select(requests_table).where(requests_table.c.id == request_id)).first()
    return _request(row) if row else None


def open_request_of(conversation_id: str, *, engine: Optional[Engine] = None) -> Optional[Request]:
    with engine_of(engine).connect() as conn:
        row = conn.execute(
            select(requests_table).where(
                requests_table.c.conversation_id == conversation_id,
                requests_table.c.status.in_((WAITING, ACCEPTED)),
            )
        ).first()
    return _request(row) if row else None


def accept(request_id: int, agent: str, *, engine: Optional[Engine] = None) -> Optional[Request]:
    """The request, accepted by `agent`; None when it is no longer waiting (another agent was
    quicker, or it was missed)."""
    engine = engine_of(engine)
    with engine.begin() as conn:
        changed = conn.execute(
            update(requests_table)
            .where(requests_table.c.id == request_id, requests_table.c.status == WAITING)
            .values(status=ACCEPTED, agent=agent[:64], accepted_at=_now())
        ).rowcount
        if changed:  # who took over what, beside the other staff actions
            audit.record(conn, agent, "takeover", f"request #{request_id}")
    return get(request_id, engine=engine) if changed else None


def end(
    request_id: int, reason: str, *, agent: Optional[str] = None, engine: Optional[Engine] = None
) -> Optional[Request]:
    engine = engine_of(engine)
    with engine.begin() as conn:
        changed = conn.execute(
            update(requests_table)
            .where(requests_table.c.id == request_id, requests_table.c.status == ACCEPTED)
            .values(status=ENDED, reason=reason, ended_at=_now())
        ).rowcount
        if changed and agent:
            audit.record(conn, agent, "hand_back", f"request #{request_id}")
    return get(request_id, engine=engine) if changed else None


def withdraw(conversation_id: str, *, engine: Optional[Engine] = None) -> bool:
    """The visitor stopped waiting (they chose a callback): the request leaves the queue."""
    with engine_of(engine).begin() as conn:
        return bool(
            conn.execute(
                update(requests_table)
                .where(requests_table.c.conversation_id == conversation_id, requests_table.c.status == WAITING)
                .values(status=MISSED, reason=CALLBACK, ended_at=_now())
            ).rowcount
        )


def visitor_said(conversation_id: str, *, engine: Optional[Engine] = None) -> None:
    with engine_of(engine).begin() as conn:
        conn.execute(
            update(requests_table)
            .where(requests_table.c.conversation_id == conversation_id, requests_table.c.status == ACCEPTED)
            .values(visitor_seen_at=_now())
        )


def overdue(*, engine: Optional[Engine] = None, now: Optional[datetime] = None) -> tuple[List[Request], List[Request]]:
    """Marks and returns the waiting requests nobody accepted in time (missed) and the taken-over
    conversations whose visitor has been silent too long (ended, idle)."""
    engine = engine_of(engine)
    now = now or _now()
    waited = now - timedelta(seconds=accept_seconds())
    idle = now - timedelta(seconds=settings.TAKEOVER_IDLE_SECONDS.integer())
    missed, ended = [], []
    with engine.begin() as conn:
        for row in conn.execute(
            select(requests_table).where(requests_table.c.status == WAITING, requests_table.c.requested_at < waited)
        ).all():
            if conn.execute(
                update(requests_table)
                .where(requests_table.c.id == row.id, requests_table.c.status == WAITING)
                .values(status=MISSED, reason=NOT_ACCEPTED, ended_at=now)
            ).rowcount:
                missed.append(row.id)
        quiet = and_(
            requests_table.c.status == ACCEPTED,
            or_(
                and_(requests_table.c.visitor_seen_at.is_(None), requests_table.c.accepted_at < idle),
                requests_table.c.visitor_seen_at < idle,
            ),
        )
        for row in conn.execute(select(requests_table).where(quiet)).all():
            if conn.execute(
                update(requests_table)
                .where(requests_table.c.id == row.id, requests_table.c.status == ACCEPTED)
                .values(status=ENDED, reason=IDLE, ended_at=now)
            ).rowcount:
                ended.append(row.id)
    return [get(i, engine=engine) for i in missed], [get(i, engine=engine) for i in ended]


def listed(status: str, *, agent: Optional[str] = None, limit: int = 50, engine: Optional[Engine] = None):
    query = select(requests_table).where(requests_table.c.status == status)
    if agent is not None:
        query = query.where(requests_table.c.agent == agent)
    order = requests_table.c.requested_at.asc() if status == WAITING else requests_table.c.requested_at.desc()
    with engine_of(engine).connect() as conn:
        return [_request(r) for r in conn.execute(query.order_by(order).limit(limit)).all()]


@dataclass(frozen=True)
class Figures:
    """The report's figures of requests for a person since a moment."""

    requests: int
    answered: int
    missed: int
    median_wait_seconds: Optional[float]
    conversations: List[str]  # those an agent answered (their ratings are counted apart)


def figures(since: datetime, *, engine: Optional[Engine] = None) -> Figures:
    with engine_of(engine).connect() as conn:
        rows = conn.execute(select(requests_table).where(requests_table.c.requested_at >= since)).all()
    answered = [r for r in rows if r.accepted_at is not None]
    waits = [(r.accepted_at - r.requested_at).total_seconds() for r in answered]
    return Figures(
        requests=len(rows),
        answered=len(answered),
        missed=sum(r.status == MISSED for r in rows),
        median_wait_seconds=statistics.median(waits) if waits else None,
        conversations=sorted({r.conversation_id for r in answered}),
    )


def forget(connection, conversations: Optional[List[str]] = None, before: Optional[datetime] = None) -> int:
    """Deletes the requests of these conversations, or those made before `before`, in the
    caller's transaction (privacy/erasure.py, privacy/retention.py)."""
    requests_table.create(connection, checkfirst=True)
    if conversations is not None:
        if not conversations:
            return 0
        condition = requests_table.c.conversation_id.in_(conversations)
    else:
        condition = requests_table.c.requested_at < before
    return connection.execute(requests_table.delete().where(condition)).rowcount
