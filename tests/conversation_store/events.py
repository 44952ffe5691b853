"""An events table as the tracker store keeps it (Rasa's `events`), filled by hand for the
tests of what the staff side reads from it."""

from __future__ import annotations

import json

import sqlalchemy as sa

SCHEMA = """CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY AUTOINCREMENT, sender_id VARCHAR(255) NOT NULL, type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"""


def events_engine(path) -> sa.engine.Engine:
    engine = sa.create_engine(f"sqlite:///{path}", future=True)
    with engine.begin() as connection:
        connection.execute(sa.text(SCHEMA))
        connection.execute(sa.text("CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id)"))
    return engine


def row(sender: str, kind: str, at: float, **data) -> dict:
    """One event row: kind is user (text=), bot (text=), action (name=), slot (name=, value=),
    active_loop (name=)."""
    event = {"event": kind, "timestamp": at, **data}
    return {
        "sender_id": sender,
        "type_name": kind,
        "timestamp": at,
        "intent_name": None,
        "action_name": data.get("name") if kind == "action" else None,
        "data": json.dumps(event, ensure_ascii=False),
    }


def turn(sender: str, at: float, text: str, action: str, slots: dict | None = None, reply: str = "…") -> list:
    """A visitor's message, the action that answered it, its slots, the bot's message, listen."""
    rows = [row(sender, "user", at, text=text), row(sender, "action", at + 0.01, name=action)]
    rows += [row(sender, "slot", at + 0.02, name=k, value=v) for k, v in (slots or {}).items()]
    rows += [row(sender, "bot", at + 0.03, text=reply), row(sender, "action", at + 0.04, name="action_listen")]
    return rows


def insert(engine: sa.engine.Engine, rows: list) -> None:
    if not rows:
        return
    table = sa.table(
        "events", *(sa.column(c) for c in ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data"))
    )
    with engine.begin() as connection:
        connection.execute(table.insert(), rows)
