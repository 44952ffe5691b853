"""The audit log: who erased or purged what, and when, in the leads database beside the leads.
A line never holds the personal data it is about (a masked contact at most)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from leads.store import UTCDateTime

metadata = sa.MetaData()

audit_table = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    detail: str


def record(connection, actor: str, action: str, detail: str) -> None:
    """In the caller's transaction: the line exists exactly when the deletion happened."""
    audit_table.create(connection, checkfirst=True)
    connection.execute(
        audit_table.insert().values(at=datetime.now(timezone.utc), actor=actor[:64], action=action, detail=detail)
    )


def recent(engine: sa.engine.Engine, limit: int = 50) -> list[AuditLine]:
    with engine.begin() as connection:
        audit_table.create(connection, checkfirst=True)
        rows = connection.execute(audit_table.select().order_by(audit_table.c.id.desc()).limit(limit)).all()
    return [AuditLine(r.at, r.actor, r.action, r.detail) for r in rows]
