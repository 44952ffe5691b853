"""SQL tracker store (PostgreSQL on the stack, SQLite for `make run`) with Rasa's table and
behaviour, half the work per turn, and a turn's cost independent of the conversation's length.

Why: profiling a stack replica (py-spy) showed Rasa 3.6's SQLTrackerStore spending half
of a turn in the database layer. Its `save` first loads the whole conversation again,
as ORM objects, only to find which events are new for the event broker, then counts the
stored events a second time to find which ones to insert. Here each turn does one load
(plain rows, no ORM objects), and `save` inserts and publishes the events added since:
the tracker remembers how many of its events are stored. The conversation lock
(production/lock_store.py) guarantees that no other replica writes the conversation in
between. A tracker that was not loaded here (a new conversation) is counted in the table.

A turn loads and saves only a bounded window of the conversation (production/
conversation_window.py): the `conversation_windows` table says, per conversation, where its
window starts and the state there; the events table keeps every event.

Connections are checked before use (pool_pre_ping), so after a PostgreSQL restart the
next turn reconnects instead of failing once on a dead connection.

During a PostgreSQL outage nothing is lost and nobody gets a context-free answer (Rasa's
FailSafeTrackerStore would start every turn from an empty conversation):
- the replica keeps the conversations it served last in memory (MAX_KEPT_CONVERSATIONS); one
  of them is answered in context from that copy, and a turn's new events that cannot be
  written go to the replica's journal on disk (conversation_store/journal.py). The copy is exact when
  the replica served the conversation's last turn: socket.io (address hash) and WeChat (openid hash)
  are sticky in nginx; REST, spread by least_conn, may miss a turn another replica served;
- a conversation this replica does not hold cannot be read: the error reaches
  channels/turn.py, which sends the apology with the contacts and journals that turn;
- before every read or write the journal is written to PostgreSQL first, in order, so once the
  database is back each conversation reads back complete.
Configured in endpoints.production.yml and endpoints.yml as
`type: conversation_store.tracker_store.LeanSQLTrackerStore`.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from pathlib import Path
from typing import Any, List, Optional

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from conversation_store import window
from conversation_store.journal import Journal, journal_path

STORED = "_events_in_store"  # attribute set on trackers this store loaded or saved
STARTING_STATE = "_window_state_events"  # how many leading events are the window's starting state
LAST_ID = "_last_event_id"  # id of the conversation's newest stored event when loaded or saved
DATABASE_ERRORS = (sa.exc.SQLAlchemyError,)
MAX_KEPT_CONVERSATIONS = 1_000
CONNECT_TIMEOUT_SECONDS = 3  # a hung database fails the turn quickly instead of after minutes
logger = logging.getLogger(__name__)


class LeanSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("dialect") == "sqlite" and kwargs.get("db"):
            Path(kwargs["db"]).parent.mkdir(parents=True, exist_ok=True)  # var/ in a new clone
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        engine_kwargs = create_engine_kwargs(url)
        if url.get_backend_name() == "postgresql":
            engine_kwargs["connect_args"] = {
                **engine_kwargs.get("connect_args", {}),
                "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            }
        if url.get_backend_name() == "sqlite":
            # One connection kept open (SQLAlchemy's default for a file is to reopen it per use);
            # all turns run on the event loop's thread.
            engine_kwargs.update(poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False})
            self.engine = sa.create_engine(url, **engine_kwargs)
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(url, pool_pre_ping=True, **engine_kwargs)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.journal = Journal(journal_path())
        self.kept: OrderedDict[str, DialogueStateTracker] = OrderedDict()
        with self.session_scope():
            pass  # Rasa's check of the POSTGRESQL_SCHEMA setting, once instead of every turn
        # Statements built once (building them cost a millisecond per turn); plain connections,
        # no ORM session.
        self.events_table = table = self.SQLEvent.__table__
        sender = sa.bindparam("sender_id")
        session_start = (
            sa.select(sa.func.max(table.c.timestamp))
            .where(table.c.sender_id == sender, table.c.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        latest_session = sa.or_(table.c.timestamp >= session_start, session_start.is_(None))
        by_id = table.c.id
        self.all_sessions_query = sa.select(table.c.id, table.c.data).where(table.c.sender_id == sender).order_by(by_id)
        self.last_id_query = sa.select(sa.func.max(by_id)).where(table.c.sender_id == sender)
        self.latest_session_query = self.all_sessions_query.where(latest_session)
        self.latest_session_count = (
            sa.select(sa.func.count()).select_from(table).where(table.c.sender_id == sender, latest_session)
        )
        self.windows = _create_window_table(self.engine, table)
        self.window_query = sa.select(self.windows.c.first_event_id, self.windows.c.prefix).where(
            self.windows.c.sender_id == sender
        )
        self.window_rows_query = self.all_sessions_query.where(by_id >= sa.bindparam("first_id"))
        # The id of the n-th newest event (n = 0: the last one) of a conversation.
        self.nth_newest_id = (
            sa.select(by_id)
            .where(table.c.sender_id == sender)
            .order_by(by_id.desc())
            .limit(1)
            .offset(sa.bindparam("n"))
        )

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        prefix: List[dict] = []
        try:
            self.write_journal()
            with self.engine.connect() as connection:
                if fetch_events_from_all_sessions:
                    rows = connection.execute(self.all_sessions_query, {"sender_id": sender_id}).all()
                else:
                    unchanged = self._unchanged_copy(connection, sender_id)
                    if unchanged is not None:
                        return unchanged
                    rows, prefix = self._window_rows(connection, sender_id)
        except DATABASE_ERRORS:
            kept = self.kept.get(sender_id)
            if kept is None or fetch_events_from_all_sessions:
                raise
            logger.warning("PostgreSQL unavailable: %s answered from this replica's copy", sender_id)
            return kept
        if not rows or not self.domain:
            return None
        events = [json.loads(row.data) for row in rows]
        if not fetch_events_from_all_sessions:
            start = window.latest_session(events)
            if start is not None:  # a session that began inside the window is the window
                events, prefix = events[start:], []
        tracker = DialogueStateTracker.from_dict(sender_id, prefix + events, self.domain.slots)
        setattr(tracker, STORED, len(tracker.events))
        setattr(tracker, STARTING_STATE, len(prefix))
        setattr(tracker, LAST_ID, rows[-1].id)
        if not fetch_events_from_all_sessions:
            self._keep(tracker)
        return tracker

    def _unchanged_copy(self, connection, sender_id: str) -> Optional[DialogueStateTracker]:
        """This replica's copy of the conversation when nothing was stored since it saved it
        (nobody else served a turn, and its last turn was saved whole): decoding the window
        again would give the same tracker."""
        kept = self.kept.get(sender_id)
        if kept is None or getattr(kept, STORED, None) != len(kept.events) or getattr(kept, LAST_ID, None) is None:
            return None
        if connection.execute(self.last_id_query, {"sender_id": sender_id}).scalar() != getattr(kept, LAST_ID):
            return None
        self.kept.move_to_end(sender_id)
        return kept

    def _window_rows(self, connection, sender_id: str):
        """The stored events of the conversation's window, and the state it starts from.
        A conversation saved before windows existed has no row: its latest session is loaded."""
        found = connection.execute(self.window_query, {"sender_id": sender_id}).first()
        if found is None:
            return connection.execute(self.latest_session_query, {"sender_id": sender_id}).all(), []
        rows = connection.execute(
            self.window_rows_query, {"sender_id": sender_id, "first_id": found.first_event_id}
        ).all()
        return rows, json.loads(found.prefix)

    async def save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        stored = getattr(tracker, STORED, None)
        try:
            self.write_journal()
            with self.engine.begin() as connection:  # one transaction, committed on leaving
                if stored is None:
                    stored = connection.execute(
                        self.latest_session_count, {"sender_id": tracker.sender_id}
                    ).scalar_one()
                new_events = [event.as_dict() for event in events[stored:]]
                if new_events:
                    self._insert(connection, [self._row(tracker.sender_id, data) for data in new_events])
                moved = self._move_window(connection, tracker, stored)
                last_id = connection.execute(self.last_id_query, {"sender_id": tracker.sender_id}).scalar()
        except DATABASE_ERRORS as error:
            # Only a conversation read from the database, kept, or new gets here: `stored` is known.
            new_events = [event.as_dict() for event in events[stored or 0 :]]
            self.journal.add(tracker.sender_id, new_events)
            logger.error(
                "PostgreSQL unavailable (%s): %d events of %s kept in the journal",
                type(error).__name__,
                len(new_events),
                tracker.sender_id,
            )
            moved = last_id = None
        await self._publish([{"sender_id": tracker.sender_id, **data} for data in new_events])
        setattr(tracker, STORED, len(events))
        kept = moved or tracker
        setattr(kept, LAST_ID, last_id)
        self._keep(kept)

    def _move_window(self, connection, tracker: DialogueStateTracker, stored: int) -> Optional[DialogueStateTracker]:
        """Starts the conversation's window anew where this save calls for it: at a session
        that began in this turn, or, once the window is too long, at a recent turn. Returns the
        tracker as the next load will see it, when it changed. Runs only when every event is
        written (none waits in the journal), so the newest rows are this tracker's last events."""
        events = tracker.events
        if len(self.journal):
            return None
        started = [i for i in range(stored, len(events)) if isinstance(events[i], SessionStarted)]
        if started:
            cut, prefix = started[-1], []
        elif window.needs_trim(tracker):
            # The window's starting state is not stored: the new window starts after it.
            cut = window.cut_index(list(events), not_before=getattr(tracker, STARTING_STATE, 0) + 1)
            if cut is None:
                return None
            prefix = window.state_before(tracker.sender_id, list(events), cut, self.domain.slots)
        else:
            return None
        first_id = connection.execute(
            self.nth_newest_id, {"sender_id": tracker.sender_id, "n": len(events) - 1 - cut}
        ).scalar_one()
        values = {"first_event_id": first_id, "prefix": json.dumps([event.as_dict() for event in prefix])}
        if not connection.execute(
            self.windows.update().where(self.windows.c.sender_id == tracker.sender_id).values(**values)
        ).rowcount:
            connection.execute(self.windows.insert().values(sender_id=tracker.sender_id, **values))
        moved = DialogueStateTracker.from_events(tracker.sender_id, prefix + list(events)[cut:], self.domain.slots)
        setattr(moved, STORED, len(moved.events))
        setattr(moved, STARTING_STATE, len(prefix))
        return moved

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
            self._insert(connection, [self._row(sender, data) for _, sender, data in pending])
        self.journal.remove_through(pending[-1][0])
        logger.info("PostgreSQL is back: wrote %d journaled events", len(pending))

    async def keep_failed_turn(self, sender_id: str, text: Optional[str], reply: str) -> None:
        """A turn answered with the apology because the conversation could not be read: kept in
        the journal until the database is back, and published like every other turn."""
        events = [event.as_dict() for event in (UserUttered(text), BotUttered(reply), ActionExecuted("action_listen"))]
        self.journal.add(sender_id, events)
        await self._publish([{"sender_id": sender_id, **data} for data in events])

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

    ROW_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")

    def _insert(self, connection, rows: List[tuple]) -> None:
        """Rows straight to the driver: SQLAlchemy's per-parameter processing of a Core insert
        was 2% of a turn, for columns that need none."""
        mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        sql = (
            f"INSERT INTO {self.events_table.name} ({', '.join(self.ROW_COLUMNS)}) "
            f"VALUES ({', '.join([mark] * len(self.ROW_COLUMNS))})"
        )
        connection.exec_driver_sql(sql, rows)

    @staticmethod
    def _row(sender_id: str, data: dict) -> tuple:
        """An events-table row (ROW_COLUMNS), with the columns Rasa's SQLTrackerStore fills."""
        return (
            sender_id,
            data["event"],
            data.get("timestamp"),
            data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            data.get("name"),
            json.dumps(data),
        )


def _create_window_table(engine, events: sa.Table) -> sa.Table:
    """`conversation_windows` and an index to read a conversation's newest events by id,
    created if missing (several replicas may try at once: one wins)."""
    metadata = sa.MetaData()
    windows = sa.Table(
        "conversation_windows",
        metadata,
        sa.Column("sender_id", sa.String(255), primary_key=True),
        sa.Column("first_event_id", sa.Integer, nullable=False),
        sa.Column("prefix", sa.Text, nullable=False),
    )
    try:
        metadata.create_all(engine, checkfirst=True)
        with engine.begin() as connection:  # not on Rasa's table object: its create_all would repeat it
            connection.execute(
                sa.text(f"CREATE INDEX IF NOT EXISTS events_sender_id_id ON {events.name} (sender_id, id)")
            )
    except (sa.exc.ProgrammingError, sa.exc.OperationalError, sa.exc.IntegrityError):
        logger.info("conversation windows: created by another replica meanwhile")
    return windows


def _sqlite_pragmas(connection, _record) -> None:
    """`make run`'s SQLite file: a write-ahead log, synced at checkpoints rather than on every
    turn (a crash may lose the last turns, never corrupt the file)."""
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
