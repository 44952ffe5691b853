"""The staff report's figures, kept as turns arrive: per-day aggregates of the events table.

Reading every event of the period for each report took 2.2 s at 233,000 events, in the web
app's event loop, while the widget's files and ratings waited. Here each event is read once:
`refresh()` folds the events stored since the last refresh (by id) into per-day figures, and
a report only adds up the days of its period. The web app refreshes in a worker thread, at
start-up, every REFRESH_SECONDS and before each report, so its event loop never waits for it.

The figures are those of `Archive.report` (the reference, read from scratch), per day of the
visitor's message: conversations and messages per day, the messages the assistant did not
understand or declined (grouped by wording, with the newest), the page questions answered,
hand-offs and callback forms started. Ids a concurrent writer had reserved but not yet
committed when a refresh ran are picked up by the next one (the last SLACK_IDS ids are looked
at again). At most KEEP_DAYS days are kept, and GROUPS_PER_DAY distinct wordings per day and
kind (the rest are counted together), so memory stays bounded whatever visitors send.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Dict, Optional, Set

import sqlalchemy as sa

from conversation_store.archive import (
    ANSWERS,
    DECLINED,
    EVENTS,
    HANDOFF,
    NOT_UNDERSTOOD,
    TOPIC_SLOTS,
    Archive,
    Asked,
    Report,
    _grouping_key,
)

logger = logging.getLogger(__name__)
KEEP_DAYS = 92
GROUPS_PER_DAY = 5_000
OTHERS = "\x00others"  # the group of wordings beyond GROUPS_PER_DAY
OTHERS_TEXT = "（其余各不相同的问题）"
BATCH = 5_000
SLACK_IDS = 2_000
IDLE_SENDER_SECONDS = 3_600  # a conversation quiet this long has its last answer counted
REFRESH_SECONDS = 30.0
TYPES = ("user", "action", "slot", "active_loop")


@dataclass
class _Day:
    senders: Set[str] = field(default_factory=set)
    messages: int = 0
    groups: Dict[str, Dict[str, Asked]] = field(default_factory=lambda: {"not_understood": {}, "declined": {}})
    topics: Counter = field(default_factory=Counter)
    handoffs: int = 0
    callback_forms: int = 0


@dataclass
class _Sender:
    """Where one conversation's latest visitor message stands."""

    text: Optional[str] = None  # the message whose answer is being read
    at: Optional[datetime] = None
    answered_by: Optional[str] = None
    topic: Dict[str, str] = field(default_factory=dict)
    seen: float = 0.0  # the last event's timestamp


class ReportIndex:
    def __init__(self, archive: Archive, tz, clock=time.time):
        self.archive = archive
        self.tz = tz
        self.clock = clock
        self._lock = threading.Lock()
        self._reset()
        self._refresher: Optional[threading.Thread] = None

    def _reset(self) -> None:
        self._days: Dict[date, _Day] = {}
        self._senders: Dict[str, _Sender] = {}
        self._cursor = 0
        self._recent: Set[int] = set()  # ids folded in, above cursor - SLACK_IDS

    # --- reading new events ---------------------------------------------------------------
    def refresh(self) -> int:
        """Folds in the events stored since the last refresh; returns how many."""
        with self._lock:
            return self._refresh()

    def _refresh(self) -> int:
        horizon = self.clock() - KEEP_DAYS * 86400
        folded, low = 0, max(0, self._cursor - SLACK_IDS)
        while True:
            query = (
                sa.select(
                    EVENTS.c.id,
                    EVENTS.c.sender_id,
                    EVENTS.c.type_name,
                    EVENTS.c.timestamp,
                    EVENTS.c.action_name,
                    EVENTS.c.data,
                )
                .where(EVENTS.c.id > low, EVENTS.c.type_name.in_(TYPES), EVENTS.c.timestamp >= horizon)
                .order_by(EVENTS.c.id)
                .limit(BATCH)
            )
            rows = self.archive._rows(query)
            for event_id, sender, type_name, timestamp, action, data in rows:
                if event_id in self._recent or event_id <= self._cursor - SLACK_IDS:
                    continue
                self._fold(sender, type_name, timestamp or 0.0, action, data)
                self._recent.add(event_id)
                self._cursor = max(self._cursor, event_id)
                folded += 1
            if len(rows) < BATCH:
                break
            low = rows[-1][0]
        floor = self._cursor - SLACK_IDS
        self._recent = {i for i in self._recent if i > floor}
        self._forget(horizon)
        return folded

    def _day(self, at: datetime) -> _Day:
        day = at.astimezone(self.tz).date()
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = _Day()
        return found

    def _fold(self, sender: str, type_name: str, timestamp: float, action, data) -> None:
        state = self._senders.get(sender)
        if state is None:
            state = self._senders[sender] = _Sender()
        state.seen = max(state.seen, timestamp)
        if type_name == "user":
            text = (json.loads(data).get("text") or "").strip()
            if not text or text.startswith("/"):
                return  # a button's payload, not something typed
            self._count_topic(state)
            at = datetime.fromtimestamp(timestamp, timezone.utc)
            day = self._day(at)
            day.senders.add(sender)
            day.messages += 1
            state.text, state.at, state.answered_by = text, at, None
        elif type_name == "action" and state.text is not None and action != "action_listen":
            if state.answered_by is None:
                state.answered_by = action
                day = self._day(state.at)
                kind = "not_understood" if action in NOT_UNDERSTOOD else "declined" if action in DECLINED else None
                if kind:
                    self._count(day.groups[kind], state.text, state.at)
                day.handoffs += action in HANDOFF
        elif type_name == "slot" and state.text is not None and state.answered_by in ANSWERS:
            event = json.loads(data)
            if event.get("name") in TOPIC_SLOTS and event.get("value"):
                state.topic[event["name"]] = event["value"]
        elif type_name == "active_loop" and json.loads(data).get("name") == "callback_form":
            self._day(datetime.fromtimestamp(timestamp, timezone.utc)).callback_forms += 1

    def _count_topic(self, state: _Sender) -> None:
        key = state.topic.get("fact") or state.topic.get("comparison")  # a fact is more precise
        if key and state.at is not None:
            self._day(state.at).topics[key] += 1
        state.topic.clear()

    @staticmethod
    def _count(grouped: Dict[str, Asked], text: str, at: datetime) -> None:
        key = _grouping_key(text) or text
        if key not in grouped and len(grouped) >= GROUPS_PER_DAY:
            key, text = OTHERS, OTHERS_TEXT
        found = grouped.get(key)
        if found is None:
            grouped[key] = Asked(1, text, at)
            return
        found.count += 1
        if at >= found.newest_at:
            found.newest_text, found.newest_at = (text if key != OTHERS else OTHERS_TEXT), at

    def _forget(self, horizon: float) -> None:
        oldest = datetime.fromtimestamp(horizon, timezone.utc).astimezone(self.tz).date()
        for day in [d for d in self._days if d < oldest]:
            del self._days[day]
        idle = self.clock() - IDLE_SENDER_SECONDS
        for sender in [s for s, state in self._senders.items() if state.seen < idle]:
            self._count_topic(self._senders.pop(sender))

    # --- the report -----------------------------------------------------------------------
    def report(self, since: date, tz=None) -> Report:
        """The report from `since` (a local date) to now, after folding in the newest events."""
        with self._lock:
            if tz is not None and str(tz) != str(self.tz):
                self.tz = tz
                self._reset()
            self._refresh()
            return self._report(since)

    def _report(self, since: date) -> Report:
        report = Report()
        days = {d: v for d, v in self._days.items() if d >= since}
        topics: Counter = Counter()
        for day in days.values():
            topics.update(day.topics)
        for state in self._senders.values():  # answers whose conversation goes on
            key = state.topic.get("fact") or state.topic.get("comparison")
            if key and state.at is not None and state.at.astimezone(self.tz).date() >= since:
                topics[key] += 1
        report.days = sorted(((d, len(v.senders), v.messages) for d, v in days.items() if v.messages), reverse=True)
        report.conversations = len(set().union(*(v.senders for v in days.values()))) if days else 0
        report.messages = sum(v.messages for v in days.values())
        report.handoffs = sum(v.handoffs for v in days.values())
        report.callback_forms = sum(v.callback_forms for v in days.values())
        for kind in ("not_understood", "declined"):
            merged: Dict[str, Asked] = {}
            for day in days.values():
                for key, asked in day.groups[kind].items():
                    found = merged.get(key)
                    if found is None:
                        merged[key] = Asked(asked.count, asked.newest_text, asked.newest_at)
                        continue
                    found.count += asked.count
                    if asked.newest_at >= found.newest_at:
                        found.newest_text, found.newest_at = asked.newest_text, asked.newest_at
            setattr(report, kind, sorted(merged.values(), key=lambda a: (-a.count, -a.newest_at.timestamp())))
        report.topics = topics.most_common()
        return report

    # --- kept up to date in the background ------------------------------------------------
    def start(self, every: float = REFRESH_SECONDS) -> None:
        """A daemon thread that refreshes now and every `every` seconds."""
        if self._refresher is not None:
            return

        def loop() -> None:
            while True:
                try:
                    started = time.monotonic()
                    folded = self.refresh()
                    if folded > BATCH:
                        logger.info("staff report: %d events read in %.1f s", folded, time.monotonic() - started)
                except Exception as error:  # noqa: BLE001 - the database may be away; try again later
                    logger.warning("staff report: could not read new events (%s)", type(error).__name__)
                time.sleep(every)

        self._refresher = threading.Thread(target=loop, name="report-index", daemon=True)
        self._refresher.start()
