"""One visitor's data on request (PIPL): their leads and conversations, found by phone number or
WeChat ID, and deleted together with an audit line."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from leads import contact, store
from privacy import audit
from privacy.conversations import delete_conversations, mentioning
from takeover import queue


@dataclass
class VisitorData:
    phone: str | None = None
    wechat: str | None = None
    leads: list[store.Lead] = field(default_factory=list)
    conversations: list[str] = field(default_factory=list)

    @property
    def masked(self) -> str:
        return contact.mask_contact(self.phone, self.wechat)


def identify(query: str) -> tuple[str | None, str | None]:
    """(phone, wechat) that a staff member typed, as the leads store keeps them; (None, None)
    when it is neither."""
    phone = contact.normalize_phone(query)
    if phone:
        return phone, None
    return None, contact.normalize_wechat(query)


def find_visitor(query: str, leads_engine: sa.engine.Engine, tracker_engine: sa.engine.Engine) -> VisitorData:
    phone, wechat = identify(query)
    found = VisitorData(phone, wechat)
    if not phone and not wechat:
        return found
    table = store.leads_table
    condition = table.c.phone == phone if phone else sa.func.lower(table.c.wechat) == wechat.lower()
    with leads_engine.connect() as connection:
        found.leads = [store.Lead(**row._mapping) for row in connection.execute(table.select().where(condition))]
    with tracker_engine.connect() as connection:
        typed = mentioning(connection, phone or wechat)
    found.conversations = sorted({lead.conversation_id for lead in found.leads} | set(typed))
    return found


def erase_visitor(
    query: str, actor: str, leads_engine: sa.engine.Engine, tracker_engine: sa.engine.Engine
) -> VisitorData:
    """Deletes what find_visitor finds; the audit line (masked contact, counts) is written in the
    leads database's transaction, after the conversations are gone."""
    found = find_visitor(query, leads_engine, tracker_engine)
    if not found.phone and not found.wechat:
        return found
    with tracker_engine.begin() as connection:
        events = delete_conversations(connection, found.conversations)
    with leads_engine.begin() as connection:
        ids = [lead.id for lead in found.leads]
        if ids:
            connection.execute(sa.delete(store.leads_table).where(store.leads_table.c.id.in_(ids)))
        queue.forget(connection, conversations=list(found.conversations))  # who asked for a person
        audit.record(
            connection,
            actor,
            "erase_visitor",
            f"{found.masked}: {len(ids)} lead(s), {len(found.conversations)} conversation(s), {events} event(s)",
        )
    return found
