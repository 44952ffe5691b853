"""Callback requests ("leads") in SQLite or PostgreSQL, with SQLAlchemy Core.

Written in the 2.0 style that SQLAlchemy 1.4 also runs (`future=True`
engines, `select()`, `engine.begin()`), so upgrading SQLAlchemy needs no change.
The database is `LEADS_DATABASE_URL`, else the SQLite file var/leads.db.
"""

from __future__ import annotations

import csv
import hashlib
import io
import ipaddress
import os
import threading
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import IO, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.types import TypeDecorator

from leads import contact, office_hours, screening

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "var" / "leads.db"
STATUSES = ("new", "contacted")


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite has no time zones)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware one")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


metadata = MetaData()
leads_table = Table(
    "leads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("channel", String(64), nullable=False),
    Column("conversation_id", String(255), nullable=False),
    Column("name", String(contact.NAME_MAX)),
    Column("phone", String(11)),
    Column("wechat", String(20)),
    Column("need", Text),
    Column("preferred_time", String(contact.TIME_MAX)),
    Column("status", String(16), nullable=False, default="new"),
    Column("contacted_at", UTCDateTime),
    Column("notified_at", UTCDateTime),
    Column("request_key", String(64), nullable=False, unique=True),
    Column("note", Text),  # the staff's own, from the console
    # Where the request came from (the visitor's address as the channel saw it: through the
    # project's own nginx on the stack), and why it looks automated (leads.screening), if it does.
    Column("client_address", String(64)),
    Column("flag", String(64)),
    CheckConstraint("status IN ('new', 'contacted')", name="leads_status"),
    CheckConstraint("phone IS NOT NULL OR wechat IS NOT NULL", name="leads_contact"),
    # What the flood limits count (leads.screening).
    Index("ix_leads_conversation", "conversation_id"),
    Index("ix_leads_phone_created", "phone", "created_at"),
    Index("ix_leads_wechat_created", "wechat", "created_at"),
    Index("ix_leads_address_created", "client_address", "created_at"),
)


@dataclass(frozen=True)
class Lead:
    id: int
    created_at: datetime
    channel: str
    conversation_id: str
    name: str | None
    phone: str | None
    wechat: str | None
    need: str | None
    preferred_time: str | None
    status: str
    contacted_at: datetime | None
    notified_at: datetime | None
    request_key: str
    note: str | None = None
    client_address: str | None = None
    flag: str | None = None


@dataclass(frozen=True)
class SaveResult:
    lead: Lead | None
    created: bool  # False: the same request was already stored (or it was refused)
    kept: bool = False  # True: the database was away; on disk until it takes it (leads.spool)
    refused: str | None = None  # a flood limit it went beyond (leads.screening): not stored


def _now() -> datetime:
    return datetime.now(timezone.utc)


def database_url() -> str:
    url = os.environ.get("LEADS_DATABASE_URL", "").strip()
    if url:
        return url
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"


# Any fixed number: the PostgreSQL advisory lock that serialises creating the schema.
SCHEMA_LOCK = 72_731_001


def make_engine(url: str | None = None) -> Engine:
    """A new engine for `url` (default: database_url()) with the table created.

    Several processes starting on an empty PostgreSQL database would all issue CREATE TABLE and
    all but one fail on the catalogue's unique index: an advisory lock lets one create it and the
    others then find it."""
    engine = create_engine(url or database_url(), future=True, pool_pre_ping=True)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        metadata.create_all(conn)
        _add_missing_columns(conn)
    return engine


def _add_missing_columns(conn) -> None:
    """Columns and indexes added after a database was created (`note`, `client_address`, `flag`),
    added to it in place."""
    present = {column["name"] for column in inspect(conn).get_columns(leads_table.name)}
    for column in leads_table.columns:
        if column.name not in present:
            conn.execute(
                text(f"ALTER TABLE {leads_table.name} ADD COLUMN {column.name} {column.type.compile(conn.dialect)}")
            )
    for index in leads_table.indexes:
        index.create(conn, checkfirst=True)


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def default_engine() -> Engine:
    """One shared engine per database URL, created on first use."""
    url = database_url()
    with _engines_lock:
        if url not in _engines:
            _engines[url] = make_engine(url)
        return _engines[url]


def request_key(channel: str, conversation_id: str, phone: str | None, wechat: str | None, need: str | None) -> str:
    """Same conversation + same contact + same need = same request, whatever the spacing/case."""
    need_key = "".join((need or "").split()).casefold()
    raw = "\x1f".join((channel, conversation_id, phone or "", wechat or "", need_key))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _lead(row) -> Lead:
    return Lead(**{f.name: row._mapping[f.name] for f in fields(Lead)})


def _by_key(conn, key: str) -> Lead:
    return _lead(conn.execute(select(leads_table).where(leads_table.c.request_key == key)).one())


def save_lead(
    *,
    channel: str,
    conversation_id: str,
    name: str | None = None,
    phone: str | None = None,
    wechat: str | None = None,
    need: str | None = None,
    preferred_time: str | None = None,
    key: str | None = None,
    client_address: str | None = None,
    form_seconds: float | None = None,
    engine: Engine | None = None,
) -> SaveResult:
    """Stores a confirmed callback request once.

    Values are normalised again here (see leads.contact); a phone or WeChat ID
    that does not validate, or neither of them, raises ValueError. Saving the
    same request again (or concurrently) returns the stored lead with
    created=False. `key` replaces the derived request key (e.g. a message id).
    A new request goes through leads.screening first: beyond a flood limit it is not stored
    (`refused` says which), and one that looks automated is stored with its `flag`.
    `client_address` is the visitor's address as the channel saw it; `form_seconds` how long
    the visitor's last messages took (leads.screening.form_seconds).
    """
    if not channel or not conversation_id or len(channel) > 64 or len(conversation_id) > 255:
        raise ValueError("channel (up to 64 chars) and conversation_id (up to 255) are required")
    clean_phone = contact.normalize_phone(phone) if phone else None
    clean_wechat = contact.normalize_wechat(wechat) if wechat else None
    if phone and not clean_phone:
        raise ValueError("phone is not a Chinese mobile number")
    if wechat and not clean_wechat:
        raise ValueError("wechat is not a valid WeChat ID")
    if not (clean_phone or clean_wechat):
        raise ValueError("a phone number or a WeChat ID is required")
    clean_need = contact.normalize_need(need)
    values = dict(
        created_at=_now(),
        channel=channel,
        conversation_id=conversation_id,
        name=contact.normalize_name(name),
        phone=clean_phone,
        wechat=clean_wechat,
        need=clean_need,
        preferred_time=contact.normalize_preferred_time(preferred_time),
        status="new",
        request_key=key or request_key(channel, conversation_id, clean_phone, clean_wechat, clean_need),
        client_address=_address(client_address),
    )
    engine = engine or default_engine()
    try:
        with engine.begin() as conn:
            stored = conn.execute(
                select(leads_table).where(leads_table.c.request_key == values["request_key"])
            ).one_or_none()
            if stored is not None:  # a second confirmation, a retry
                return SaveResult(_lead(stored), created=False)
            verdict = screening.judge(conn, leads_table, values, now=values["created_at"], form_seconds=form_seconds)
            if verdict.refused:
                return SaveResult(None, created=False, refused=verdict.refused)
            conn.execute(insert(leads_table).values(**values, flag=verdict.flag))
            return SaveResult(_by_key(conn, values["request_key"]), created=True)
    except IntegrityError:
        # Stored by a concurrent save that won the race: the unique request key kept exactly one row.
        with engine.connect() as conn:
            return SaveResult(_by_key(conn, values["request_key"]), created=False)


def _address(value: str | None) -> str | None:
    """An IP address as text, or None (anything else a channel might pass)."""
    try:
        return str(ipaddress.ip_address((value or "").strip())) if value else None
    except ValueError:
        return None


def local_tz() -> ZoneInfo:
    """The staff's time zone (OFFICE_TZ, default Asia/Shanghai): dates in filters and CSV use it."""
    return office_hours.configured().tz


def _period(query, since: date | None, until: date | None):
    tz = local_tz()
    if since:
        query = query.where(leads_table.c.created_at >= datetime.combine(since, time(), tz))
    if until:
        query = query.where(leads_table.c.created_at < datetime.combine(until + timedelta(days=1), time(), tz))
    return query


def list_leads(
    *,
    since: date | None = None,
    until: date | None = None,
    status: str | None = None,
    flagged: bool | None = None,
    engine: Engine | None = None,
) -> list[Lead]:
    """Leads oldest first; `since`/`until` are inclusive local dates (see local_tz); `flagged`
    True: only those that look automated (leads.screening), False: only the others."""
    query = _period(select(leads_table).order_by(leads_table.c.created_at, leads_table.c.id), since, until)
    if status:
        if status not in STATUSES:
            raise ValueError(f"status must be one of {', '.join(STATUSES)}")
        query = query.where(leads_table.c.status == status)
    if flagged is not None:
        query = query.where(leads_table.c.flag.is_not(None) if flagged else leads_table.c.flag.is_(None))
    with (engine or default_engine()).connect() as conn:
        return [_lead(row) for row in conn.execute(query)]


def count_leads(*, since: date | None = None, engine: Engine | None = None) -> int:
    query = _period(select(func.count()).select_from(leads_table), since, None)
    with (engine or default_engine()).connect() as conn:
        return conn.execute(query).scalar_one()


NOTE_MAX = 2000


def search_leads(
    *,
    query: str | None = None,
    since: date | None = None,
    until: date | None = None,
    status: str | None = None,
    flagged: bool | None = None,
    limit: int = 500,
    engine: Engine | None = None,
) -> list[Lead]:
    """Newest first, for the console: `query` is found in the name, phone, WeChat ID or need."""
    found = list_leads(since=since, until=until, status=status, flagged=flagged, engine=engine)
    words = (query or "").strip().casefold()
    if words:
        found = [
            lead
            for lead in found
            if any(words in (value or "").casefold() for value in (lead.name, lead.phone, lead.wechat, lead.need))
        ]
    return found[::-1][:limit]


def set_note(lead_id: int, note: str, *, engine: Engine | None = None) -> Lead | None:
    engine = engine or default_engine()
    clean = contact.visible_text(note).strip()[:NOTE_MAX] or None
    with engine.begin() as conn:
        conn.execute(update(leads_table).where(leads_table.c.id == lead_id).values(note=clean))
    return get_lead(lead_id, engine=engine)


def get_lead(lead_id: int, *, engine: Engine | None = None) -> Lead | None:
    with (engine or default_engine()).connect() as conn:
        row = conn.execute(select(leads_table).where(leads_table.c.id == lead_id)).one_or_none()
    return _lead(row) if row else None


def mark_contacted(lead_id: int, *, engine: Engine | None = None) -> Lead | None:
    """Sets status 'contacted' (first contact time kept); None when there is no such lead."""
    engine = engine or default_engine()
    with engine.begin() as conn:
        conn.execute(
            update(leads_table)
            .where(leads_table.c.id == lead_id, leads_table.c.status != "contacted")
            .values(status="contacted", contacted_at=_now())
        )
    return get_lead(lead_id, engine=engine)


def mark_notified(lead_id: int, *, engine: Engine | None = None) -> None:
    with (engine or default_engine()).begin() as conn:
        conn.execute(update(leads_table).where(leads_table.c.id == lead_id).values(notified_at=_now()))


def unnotified_leads(*, engine: Engine | None = None) -> list[Lead]:
    """Leads whose notification never got through (to resend them); flagged leads (leads.screening)
    are never sent to the group: staff find them in the console."""
    query = (
        select(leads_table)
        .where(leads_table.c.notified_at.is_(None), leads_table.c.flag.is_(None))
        .order_by(leads_table.c.id)
    )
    with (engine or default_engine()).connect() as conn:
        return [_lead(row) for row in conn.execute(query)]


CSV_COLUMNS = (
    "id",
    "created_at",
    "status",
    "name",
    "phone",
    "wechat",
    "need",
    "preferred_time",
    "channel",
    "conversation_id",
    "contacted_at",
    "notified_at",
    "note",
)
# What staff read, in the CSV and the console.
COLUMN_LABELS = {
    "id": "编号",
    "created_at": "提交时间",
    "status": "状态",
    "name": "称呼",
    "phone": "手机",
    "wechat": "微信",
    "need": "需求",
    "preferred_time": "方便联系的时间",
    "channel": "渠道",
    "conversation_id": "会话编号",
    "contacted_at": "联系时间",
    "notified_at": "通知时间",
    "note": "备注",
}
STATUS_LABELS = {"new": "新线索", "contacted": "已联系"}


def _cell(value, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    # Visitor text must not become a spreadsheet formula when staff open the file (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_value(lead: Lead, column: str, tz: ZoneInfo) -> str:
    value = getattr(lead, column)
    if column == "status":
        return STATUS_LABELS.get(value, value)
    if column == "phone" and value:
        return f'="{value}"'  # Excel would show 13812345678 as 1.38E+10; the digits were validated
    return _cell(value, tz)


def write_csv(leads: Iterable[Lead], out: IO[bytes]) -> None:
    """UTF-8 CSV with BOM (Excel detects the encoding), Chinese headers and statuses, phone
    numbers kept as text, times in the staff's time zone."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow([COLUMN_LABELS[column] for column in CSV_COLUMNS])
        tz = local_tz()
        for lead in leads:
            writer.writerow([_csv_value(lead, column, tz) for column in CSV_COLUMNS])
    finally:
        text.detach()  # leave `out` open for the caller
