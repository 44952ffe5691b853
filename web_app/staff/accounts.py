"""Staff accounts, their sessions and their known browsers, in the leads database
(LEADS_DATABASE_URL, else var/leads.db), so they survive restarts and any process sees them.

- An account: a name, a salted scrypt hash of its password, whether it is an admin, and whether
  its password comes from STAFF_PASSWORD (then only that variable changes it).
- A session: the SHA-256 of a random id (the cookie holds the id; the database only its hash),
  the account, when it was made, when it expires, when it was last seen, from which address
  and browser. Logging out, changing the password or an admin's revocation deletes it.
- A known browser ("device"): the SHA-256 of a random id kept in a long-lived cookie after a
  successful login; failed logins from it are counted apart from strangers' (web_app.staff.auth).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Optional

from sqlalchemy import (
    Boolean,
    Column,
    MetaData,
    String,
    Table,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from leads.store import UTCDateTime

NAME_MAX = 64
PASSWORD_MIN = 10
SESSION_SECONDS = 12 * 3600
SESSIONS_PER_ACCOUNT = 20  # the oldest beyond it are ended
DEVICES_PER_ACCOUNT = 20
DEVICE_SECONDS = 180 * 24 * 3600
SEEN_EVERY = timedelta(minutes=5)  # last_seen_at is written at most this often

metadata = MetaData()
accounts_table = Table(
    "staff_accounts",
    metadata,
    Column("name", String(NAME_MAX), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("admin", Boolean, nullable=False, default=False),
    Column("from_environment", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("password_changed_at", UTCDateTime, nullable=False),
)
sessions_table = Table(
    "staff_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account", String(NAME_MAX), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False, index=True),
    Column("last_seen_at", UTCDateTime, nullable=False),
    Column("address", String(64)),
    Column("user_agent", String(200)),
)
devices_table = Table(
    "staff_devices",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account", String(NAME_MAX), nullable=False, index=True),
    Column("created_at", UTCDateTime, nullable=False),
    Column("last_login_at", UTCDateTime, nullable=False),
)


# --- passwords ------------------------------------------------------------------------------
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str, salt: Optional[bytes] = None) -> str:
    salt = salt or secrets.token_bytes(16)
    hashed = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${hashed.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant time in the password; False for a hash this code did not write."""
    try:
        kind, n, r, p, salt, expected = stored.split("$")
        if kind != "scrypt":
            return False
        found = hashlib.scrypt(
            (password or "").encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(found.hex(), expected)


# Checked when the account does not exist, so that a wrong name costs what a wrong password does.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _now() -> datetime:
    return datetime.now(timezone.utc)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Account:
    name: str
    admin: bool
    from_environment: bool
    created_at: datetime
    password_changed_at: datetime


@dataclass(frozen=True)
class Session:
    key: str  # the SHA-256 of the cookie's id: what the admin page names a session by
    account: str
    admin: bool
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    address: Optional[str]
    user_agent: Optional[str]


class BadAccount(ValueError):
    """A name or password that cannot be used: `code` (what the console's pages say, in Chinese:
    name, short, exists, missing) and an English message (for the command line)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX or not name.isprintable() or any(ch.isspace() for ch in name):
        raise BadAccount("name", f"an account name has 1 to {NAME_MAX} characters and no spaces")
    return name


def check_new_password(password: str) -> str:
    if len(password or "") < PASSWORD_MIN:
        raise BadAccount("short", f"a password has at least {PASSWORD_MIN} characters")
    return password


class Accounts:
    """The three tables on one engine; created on first use (the database may be away at start)."""

    def __init__(self, engine_factory, clock=_now):
        self._engine_factory = engine_factory
        self._engine: Optional[Engine] = None
        self._lock = threading.Lock()
        self.clock = clock

    @property
    def engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                engine = self._engine_factory()
                metadata.create_all(engine, checkfirst=True)
                self._engine = engine
            return self._engine

    # --- accounts -------------------------------------------------------------------------
    def count(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(accounts_table)).scalar_one()

    def get(self, name: str) -> Optional[Account]:
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts_table).where(accounts_table.c.name == name)).one_or_none()
        return _account(row) if row else None

    def list(self) -> list[Account]:
        with self.engine.connect() as conn:
            return [_account(row) for row in conn.execute(select(accounts_table).order_by(accounts_table.c.name))]

    def add(self, name: str, password: str, *, admin: bool = False, from_environment: bool = False) -> Account:
        """A new account; STAFF_PASSWORD's (from_environment) is the operator's choice, not checked."""
        name = check_name(name)
        if not from_environment:
            check_new_password(password)
        now = self.clock()
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(accounts_table).values(
                        name=name,
                        password_hash=hash_password(password),
                        admin=admin,
                        from_environment=from_environment,
                        created_at=now,
                        password_changed_at=now,
                    )
                )
        except IntegrityError:
            raise BadAccount("exists", f"there is already an account {name}") from None
        return self.get(name)

    def remove(self, name: str) -> bool:
        with self.engine.begin() as conn:
            conn.execute(delete(sessions_table).where(sessions_table.c.account == name))
            conn.execute(delete(devices_table).where(devices_table.c.account == name))
            return conn.execute(delete(accounts_table).where(accounts_table.c.name == name)).rowcount > 0

    def verify(self, name: str, password: str) -> Optional[Account]:
        """The account when `password` is its password, else None (in about the same time)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts_table).where(accounts_table.c.name == name)).one_or_none()
        good = verify_password(password, row.password_hash if row else _DUMMY_HASH)
        return _account(row) if row and good else None

    def set_password(self, name: str, password: str, *, checked: bool = True) -> int:
        """A new password; every session of the account ends. Returns how many did."""
        if checked:
            check_new_password(password)
        with self.engine.begin() as conn:
            changed = conn.execute(
                update(accounts_table)
                .where(accounts_table.c.name == name)
                .values(password_hash=hash_password(password), password_changed_at=self.clock())
            ).rowcount
            if not changed:
                raise BadAccount("missing", f"there is no account {name}")
            return conn.execute(delete(sessions_table).where(sessions_table.c.account == name)).rowcount

    def sync_environment_account(self, name: str, password: str) -> None:
        """The account STAFF_PASSWORD defines (an admin): made when missing; when the variable
        holds another password than the stored one, the password is replaced and every session
        of the account ends (a password change through the environment)."""
        account = self.get(name)
        if account is None:
            try:
                self.add(name, password, admin=True, from_environment=True)
            except BadAccount:
                if self.get(name) is None:  # not a concurrent start that made it first
                    raise
            return
        with self.engine.begin() as conn:
            conn.execute(
                update(accounts_table).where(accounts_table.c.name == name).values(admin=True, from_environment=True)
            )
        if not self.verify(name, password):
            self.set_password(name, password, checked=False)

    # --- sessions -------------------------------------------------------------------------
    def start_session(self, name: str, *, address: Optional[str], user_agent: Optional[str]) -> str:
        """A new session (a new random id: never one a browser had before); returns the cookie's id."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(delete(sessions_table).where(sessions_table.c.expires_at <= now))
            conn.execute(
                insert(sessions_table).values(
                    id_hash=digest(token),
                    account=name,
                    created_at=now,
                    expires_at=now + timedelta(seconds=SESSION_SECONDS),
                    last_seen_at=now,
                    address=(address or "")[:64] or None,
                    user_agent=(user_agent or "")[:200] or None,
                )
            )
            _keep_newest(conn, sessions_table, name, SESSIONS_PER_ACCOUNT, sessions_table.c.created_at)
        return token

    def session(self, token: Optional[str]) -> Optional[Session]:
        """The live session of a cookie's id, or None (unknown, ended, expired, account removed)."""
        if not token or len(token) > 200:
            return None
        now = self.clock()
        query = (
            select(sessions_table, accounts_table.c.admin)
            .join(accounts_table, accounts_table.c.name == sessions_table.c.account)
            .where(sessions_table.c.id_hash == digest(token), sessions_table.c.expires_at > now)
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).one_or_none()
        if row is None:
            return None
        if now - row.last_seen_at >= SEEN_EVERY:
            with self.engine.begin() as conn:
                conn.execute(
                    update(sessions_table).where(sessions_table.c.id_hash == row.id_hash).values(last_seen_at=now)
                )
        return _session(row)

    def end_session(self, token: Optional[str]) -> None:
        if token:
            self.revoke(digest(token))

    def revoke(self, key: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(delete(sessions_table).where(sessions_table.c.id_hash == key)).rowcount > 0

    def revoke_account(self, name: str) -> int:
        with self.engine.begin() as conn:
            return conn.execute(delete(sessions_table).where(sessions_table.c.account == name)).rowcount

    def sessions(self) -> list[Session]:
        query = (
            select(sessions_table, accounts_table.c.admin)
            .join(accounts_table, accounts_table.c.name == sessions_table.c.account)
            .where(sessions_table.c.expires_at > self.clock())
            .order_by(sessions_table.c.account, sessions_table.c.created_at.desc())
        )
        with self.engine.connect() as conn:
            return [_session(row) for row in conn.execute(query)]

    # --- known browsers -------------------------------------------------------------------
    def known_device(self, token: Optional[str], name: str) -> bool:
        if not token or len(token) > 200:
            return False
        cutoff = self.clock() - timedelta(seconds=DEVICE_SECONDS)
        query = select(devices_table.c.id_hash).where(
            devices_table.c.id_hash == digest(token),
            devices_table.c.account == name,
            devices_table.c.last_login_at > cutoff,
        )
        with self.engine.connect() as conn:
            return conn.execute(query).one_or_none() is not None

    def remember_device(self, token: Optional[str], name: str) -> str:
        """After a successful login: the browser's device id for this account (a new one unless it
        already had one for it)."""
        now = self.clock()
        with self.engine.begin() as conn:
            if token and len(token) <= 200:
                refreshed = conn.execute(
                    update(devices_table)
                    .where(devices_table.c.id_hash == digest(token), devices_table.c.account == name)
                    .values(last_login_at=now)
                ).rowcount
                if refreshed:
                    return token
            token = secrets.token_urlsafe(32)
            conn.execute(
                insert(devices_table).values(id_hash=digest(token), account=name, created_at=now, last_login_at=now)
            )
            _keep_newest(conn, devices_table, name, DEVICES_PER_ACCOUNT, devices_table.c.last_login_at)
        return token


def _keep_newest(conn, table, account: str, keep: int, newest_first_by) -> None:
    surplus = (
        select(table.c.id_hash)
        .where(table.c.account == account)
        .order_by(newest_first_by.desc(), table.c.id_hash)
        .offset(keep)
    )
    stale = [row.id_hash for row in conn.execute(surplus)]
    if stale:
        conn.execute(delete(table).where(table.c.id_hash.in_(stale)))


def _account(row) -> Account:
    return Account(row.name, bool(row.admin), bool(row.from_environment), row.created_at, row.password_changed_at)


def _session(row) -> Session:
    return Session(
        row.id_hash,
        row.account,
        bool(row.admin),
        row.created_at,
        row.expires_at,
        row.last_seen_at,
        row.address,
        row.user_agent,
    )
