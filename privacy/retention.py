"""The retention job: conversations whose last message and leads older than RETENTION_DAYS are
deleted, with one audit line per run (`python -m privacy purge`, scheduled daily)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from leads import store
from privacy import audit
from privacy.conversations import delete_conversations, inactive_since
from takeover import queue


@dataclass(frozen=True)
class Purged:
    days: int
    conversations: int
    events: int
    leads: int


def purge(
    days: int, leads_engine: sa.engine.Engine, tracker_engine: sa.engine.Engine, now: float | None = None
) -> Purged:
    if days <= 0:
        return Purged(days, 0, 0, 0)  # kept forever, by the agency's choice
    now = time.time() if now is None else now
    cutoff = now - days * 86400
    with tracker_engine.begin() as connection:
        senders = inactive_since(connection, cutoff)
        events = delete_conversations(connection, senders)
    cutoff_at = datetime.fromtimestamp(now, timezone.utc) - timedelta(days=days)
    with leads_engine.begin() as connection:
        leads = connection.execute(
            sa.delete(store.leads_table).where(store.leads_table.c.created_at < cutoff_at)
        ).rowcount
        queue.forget(connection, before=cutoff_at)
        audit.record(
            connection,
            "retention job",
            "purge",
            f"older than {days} days: {len(senders)} conversation(s), {events} event(s), {leads} lead(s)",
        )
    return Purged(days, len(senders), events, leads)
