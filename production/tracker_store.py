"""PostgreSQL tracker store with Rasa's table and behaviour, and half the work per turn.

Why: profiling a stack replica (py-spy) showed Rasa 3.6's SQLTrackerStore spending half
of a turn in the database layer. Its `save` first loads the whole conversation again,
as ORM objects, only to find which events are new for the event broker, then counts the
stored events a second time to find which ones to insert. Here each turn does one load
(plain rows, no ORM objects), and `save` inserts and publishes the events added since:
the tracker remembers how many of its events are stored. The conversation lock
(production/lock_store.py) guarantees that no other replica writes the conversation in
between. A tracker that was not loaded here (a new conversation) is counted in the table.

Connections are checked before use (pool_pre_ping), so after a PostgreSQL restart the
next turn reconnects instead of failing once on a dead connection.
Configured in endpoints.production.yml as `type: production.tracker_store.LeanSQLTrackerStore`.
"""
from __future__ import annotations

import json
from typing import Any, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

STORED = "_events_in_store"  # attribute set on trackers this store loaded or saved


class LeanSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        with self.session_scope():
            pass  # Rasa's check of the POSTGRESQL_SCHEMA setting, once instead of every turn
        # Statements built once (building them cost a millisecond per turn); plain connections,
        # no ORM session.
        self.events_table = table = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        session_start = (sa.select(sa.func.max(table.c.timestamp))
                         .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
                         .scalar_subquery())
        latest_session = sa.or_(table.c.timestamp >= session_start, session_start.is_(None))
        by_id = table.c.id
        self.all_sessions_query = sa.select(table.c.data).where(table.c.sender_id == sender).order_by(by_id)
        self.latest_session_query = self.all_sessions_query.where(latest_session)
        self.latest_session_count = (sa.select(sa.func.count()).select_from(table)
                                     .where(table.c.sender_id == sender, latest_session))

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool
                        ) -> Optional[DialogueStateTracker]:
        query = self.all_sessions_query if fetch_events_from_all_sessions else self.latest_session_query
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender_id": sender_id}).scalars().all()
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)
        setattr(tracker, STORED, len(rows))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        with self.engine.begin() as connection:  # one transaction, committed on leaving
            stored = getattr(tracker, STORED, None)
            if stored is None:
                stored = connection.execute(self.latest_session_count, {"sender_id": tracker.sender_id}).scalar_one()
            new_events = [event.as_dict() for event in events[stored:]]
            await self._publish([{"sender_id": tracker.sender_id, **data} for data in new_events])
            if new_events:
                connection.execute(self.events_table.insert(), [self._row(tracker.sender_id, data)
                                                                for data in new_events])
        setattr(tracker, STORED, len(events))

    async def _publish(self, bodies: List[dict]) -> None:
        """To the event broker: all at once through production/event_broker.py (bounded
        backlog), else one by one as Rasa does."""
        if self.event_broker is None:
            return
        publish_all = getattr(self.event_broker, "publish_all", None)
        if publish_all is not None:
            await publish_all(bodies)
        else:
            for body in bodies:
                self.event_broker.publish(body)

    @staticmethod
    def _row(sender_id: str, data: dict) -> dict:
        """An events-table row, with the columns Rasa's SQLTrackerStore fills."""
        return {"sender_id": sender_id, "type_name": data["event"], "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)}
