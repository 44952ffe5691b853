"""When staff answer: OFFICE_HOURS (e.g. "Mon-Fri 09:00-18:00; Sat 10:00-16:00")
in OFFICE_TZ (default Asia/Shanghai), so the bot can say when it calls back."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

DEFAULT_HOURS = "Mon-Fri 09:00-18:00"
DEFAULT_TZ = "Asia/Shanghai"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RULE = re.compile(r"(?P<days>[A-Za-z,\s-]+?)\s+(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})")


@dataclass(frozen=True)
class Window:
    weekday: int  # Monday = 0
    start: time
    end: time | None  # None: until midnight (24:00)


def _clock(text: str) -> time | None:
    hours, minutes = (int(part) for part in text.split(":"))
    if (hours, minutes) == (24, 0):
        return None
    if hours > 23 or minutes > 59:
        raise ValueError(f"bad time {text!r}")
    return time(hours, minutes)


def _days(text: str) -> list[int]:
    days: list[int] = []
    for part in filter(None, (p.strip().lower() for p in text.split(","))):
        first, _, last = (p.strip() for p in part.partition("-"))
        if first not in DAYS or (last and last not in DAYS):
            raise ValueError(f"bad day {part!r}: use Mon Tue Wed Thu Fri Sat Sun")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days.extend((start + offset) % 7 for offset in range((end - start) % 7 + 1))
    return days


class OfficeHours:
    def __init__(self, spec: str = DEFAULT_HOURS, tz: str = DEFAULT_TZ):
        """Rules separated by ';': days (Mon-Fri, Sat, Mon,Wed) then HH:MM-HH:MM.

        Raises ValueError for a spec that cannot be read or an unknown time zone.
        """
        try:
            self.tz = ZoneInfo(tz)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {tz!r}") from exc
        windows: list[Window] = []
        for rule in filter(None, (r.strip() for r in re.split(r"[;；]", spec))):
            match = _RULE.fullmatch(rule)
            if not match:
                raise ValueError(f"cannot read office hours {rule!r}: expected e.g. 'Mon-Fri 09:00-18:00'")
            start, end = _clock(match["start"]), _clock(match["end"])
            if start is None or (end is not None and end <= start):
                raise ValueError(f"office hours {rule!r} must end after they start, on the same day")
            windows.extend(Window(day, start, end) for day in _days(match["days"]))
        if not windows:
            raise ValueError("office hours are empty")
        self.windows = windows

    def _local(self, now: datetime | None) -> datetime:
        if now is None:
            return datetime.now(self.tz)
        return now.replace(tzinfo=self.tz) if now.tzinfo is None else now.astimezone(self.tz)

    def is_open(self, now: datetime | None = None) -> bool:
        """True when staff are at work at `now` (naive datetimes are office-local)."""
        local = self._local(now)
        return any(
            w.weekday == local.weekday() and w.start <= local.time() and (w.end is None or local.time() < w.end)
            for w in self.windows
        )

    def next_opening(self, now: datetime | None = None) -> datetime:
        """`now` when open, else the start of the next window (office-local, aware)."""
        local = self._local(now)
        if self.is_open(local):
            return local
        for days_ahead in range(8):
            day = local.date() + timedelta(days=days_ahead)
            starts = sorted(datetime.combine(day, w.start, self.tz) for w in self.windows if w.weekday == day.weekday())
            for start in starts:
                if start > local:
                    return start
        raise AssertionError("a non-empty weekly schedule always opens within 8 days")

    def describe_next_opening(self, now: datetime | None = None) -> str:
        """今天 14:00 / 明天 09:00 / 周一 09:00, for 「我们的客服会在 … 后联系您」."""
        local = self._local(now)
        opening = self.next_opening(local)
        days_ahead = (opening.date() - local.date()).days
        # The visitor reads it, so the words are in kb/dialogue.yml. Imported here: `make leads`
        # never needs the phrasebook (nor OpenCC, which it imports).
        from assistant.phrasebook import load_phrasebook

        days = load_phrasebook().days
        day = {0: days["today"], 1: days["tomorrow"]}.get(days_ahead, days["weekdays"][opening.weekday()])
        return f"{day} {opening:%H:%M}"


def configured() -> OfficeHours:
    """OFFICE_HOURS / OFFICE_TZ from the environment; a bad value is logged and the
    default used, so a typo in the configuration cannot break the handoff."""
    spec = os.environ.get("OFFICE_HOURS", "").strip() or DEFAULT_HOURS
    tz = os.environ.get("OFFICE_TZ", "").strip() or DEFAULT_TZ
    try:
        return OfficeHours(spec, tz)
    except ValueError as exc:
        log.error("OFFICE_HOURS/OFFICE_TZ ignored, using %s %s: %s", DEFAULT_HOURS, DEFAULT_TZ, exc)
        return OfficeHours()


def is_open(now: datetime | None = None) -> bool:
    return configured().is_open(now)


def next_opening(now: datetime | None = None) -> datetime:
    return configured().next_opening(now)


def describe_next_opening(now: datetime | None = None) -> str:
    return configured().describe_next_opening(now)
