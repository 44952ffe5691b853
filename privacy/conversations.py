"""Deleting whole conversations from the tracker store's database: their events, the window
the tracker store keeps of each (conversation_store/window.py) and the visitor's ratings."""

from __future__ import annotations

from typing import Iterable

import sqlalchemy as sa

EVENTS = sa.table("events", sa.column("sender_id"), sa.column("timestamp"), sa.column("type_name"), sa.column("data"))
WINDOWS = sa.table("conversation_windows", sa.column("sender_id"))
RATINGS = sa.table("visitor_ratings", sa.column("conversation_id"), sa.column("created_at"))
CHUNK = 500  # senders per DELETE: well under every database's limit of bound parameters


def existing_tables(connection) -> set:
    return set(sa.inspect(connection).get_table_names())


def delete_conversations(connection, senders: Iterable[str]) -> int:
    """Every row of these conversations, in the caller's transaction; how many events went."""
    senders, deleted = sorted(set(senders)), 0
    tables = existing_tables(connection)
    for start in range(0, len(senders), CHUNK):
        chunk = senders[start : start + CHUNK]
        if "events" in tables:
            deleted += connection.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(chunk))).rowcount
        if "conversation_windows" in tables:
            connection.execute(sa.delete(WINDOWS).where(WINDOWS.c.sender_id.in_(chunk)))
        if "visitor_ratings" in tables:
            connection.execute(sa.delete(RATINGS).where(RATINGS.c.conversation_id.in_(chunk)))
    return deleted


def inactive_since(connection, cutoff: float) -> list[str]:
    """Conversations whose last event is older than `cutoff` (a Unix time)."""
    if "events" not in existing_tables(connection):
        return []
    query = sa.select(EVENTS.c.sender_id).group_by(EVENTS.c.sender_id).having(sa.func.max(EVENTS.c.timestamp) < cutoff)
    return [row[0] for row in connection.execute(query)]


def mentioning(connection, needle: str) -> list[str]:
    """Conversations in which the visitor typed `needle` (a phone number or WeChat ID)."""
    if "events" not in existing_tables(connection) or len(needle) < 6:
        return []
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    query = (
        sa.select(EVENTS.c.sender_id)
        .where(EVENTS.c.type_name == "user", EVENTS.c.data.like(f"%{escaped}%", escape="\\"))
        .distinct()
    )
    return [row[0] for row in connection.execute(query)]
