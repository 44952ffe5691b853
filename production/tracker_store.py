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

During a PostgreSQL outage nothing is lost and nobody gets a context-free answer (Rasa's
FailSafeTrackerStore would start every turn from an empty conversation):
- the replica keeps the conversations it served last in memory (MAX_KEPT_CONVERSATIONS); one
  of them is answered in context from that copy, and a turn's new events that cannot be
  written go to the replica's journal on disk (production/journal.py). The copy is exact when
  the replica served the conversation's last turn: socket.io (ip_hash) and WeChat (openid hash)
  are sticky in nginx; REST, spread by least_conn, may miss a turn another replica served;
- a conversation this replica does not hold cannot be read: the error reaches
  production/degradation.py, which sends the apology with the contacts and journals that turn;
- before every read or write the journal is written to PostgreSQL first, in order, so once the
  database is back each conversation reads back complete.
Configured in endpoints.production.yml as `type: production.tracker_store.LeanSQLTrackerStore`.
"""
from __future__ import annotations

import json
import logging
from collections import OrderedDict
from typing import Any, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from production.journal import Journal, journal_path

STORED = "_events_in_store"  # attribute set on trackers this store loaded or saved
DATABASE_ERRORS = (sa.exc.SQLAlchemyError,)
MAX_KEPT_CONVERSATIONS = 1_000
CONNECT_TIMEOUT_SECONDS = 3  # a hung database fails the turn quickly instead of after minutes
logger = logging.getLogger(__name__)


class LeanSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        engine_kwargs = create_engine_kwargs(url)
        if url.get_backend_name() == "postgresql":
            engine_kwargs["connect_args"] = {**engine_kwargs.get("connect_args", {}),
                                             "connect_timeout": CONNECT_TIMEOUT_SECONDS}
        self.engine = sa.create_engine(url, pool_pre_ping=True, **engine_kwargs)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.journal = Journal(journal_path())
        self.kept: "OrderedDict[str, DialogueStateTracker]" = OrderedDict()
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
        try:
            self.write_journal()
            with self.engine.connect() as connection:
                rows = connection.execute(query, {"sender_id": sender_id}).scalars().all()
        except DATABASE_ERRORS:
            kept = self.kept.get(sender_id)
            if kept is None or fetch_events_from_all_sessions:
                raise
            logger.warning("PostgreSQL unavailable: %s answered from this replica's copy", sender_id)
            return kept
        if not rows or not self.domain:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(data) for data in rows], self.domain.slots)
        setattr(tracker, STORED, len(rows))
        if not fetch_events_from_all_sessions:
            self._keep(tracker)
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        stored = getattr(tracker, STORED, None)
        try:
            self.write_journal()
            with self.engine.begin() as connection:  # one transaction, committed on leaving
                if stored is None:
                    stored = connection.execute(self.latest_session_count,
                                                {"sender_id": tracker.sender_id}).scalar_one()
                new_events = [event.as_dict() for event in events[stored:]]
                if new_events:
                    connection.execute(self.events_table.insert(), [self._row(tracker.sender_id, data)
                                                                    for data in new_events])
        except DATABASE_ERRORS as error:
            # Only a conversation read from the database, kept, or new gets here: `stored` is known.
            new_events = [event.as_dict() for event in events[stored or 0:]]
            self.journal.add(tracker.sender_id, new_events)
            logger.error("PostgreSQL unavailable (%s): %d events of %s kept in the journal",
                         type(error).__name__, len(new_events), tracker.sender_id)
        await self._publish([{"sender_id": tracker.sender_id, **data} for data in new_events])
        setattr(tracker, STORED, len(events))
        self._keep(tracker)

    def _keep(self, tracker: DialogueStateTracker) -> None:
        self.kept[tracker.sender_id] = tracker
        self.kept.move_to_end(tracker.sender_id)
        while len(self.kept) > MAX_KEPT_CONVERSATIONS:
            self.kept.popitem(last=False)

    def write_journal(self) -> None:
        """The journal's events into PostgreSQL, in order; raises while it is unavailable."""
        if not len(self.journal):
            return
        pending = self.journal.pending()
        with self.engine.begin() as connection:
            connection.execute(self.events_table.insert(),
                               [self._row(sender, data) for _, sender, data in pending])
        self.journal.remove_through(pending[-1][0])
        logger.info("PostgreSQL is back: wrote %d journaled events", len(pending))

    def keep_failed_turn(self, sender_id: str, text: Optional[str], reply: str) -> None:
        """A turn answered with the apology because the conversation could not be read."""
        events = [UserUttered(text), BotUttered(reply), ActionExecuted("action_listen")]
        self.journal.add(sender_id, [event.as_dict() for event in events])

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
