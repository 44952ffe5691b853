"""Who may see the console: named staff accounts, server-side sessions, CSRF tokens on every
form, and limits on failed logins that no stranger can turn against the staff.

- Accounts (web_app.staff.accounts): STAFF_PASSWORD defines the admin account STAFF_USER
  (default `admin`); `python -m web_app.staff add NAME` adds more. Passwords are kept only as
  salted scrypt hashes, compared in constant time.
- A session is a random id in an HttpOnly, SameSite=Strict cookie (Secure over https), kept
  server-side (its hash, in the leads database): a new id at every login (an id a browser
  brought along is ended, never adopted), ended at logout, at a password change (every session
  of the account), by an admin (the console's 登录会话 page or `python -m web_app.staff revoke`),
  and after SESSION_SECONDS.
- Every POST carries a token equal to the `staff_csrf` cookie (double submit); a form from
  another site can neither read nor set it.
- Failed logins are counted per client address (as the project's own nginx saw it:
  assistant.client_address) and per account, never for the whole console: MAX_FAILURES
  within FAILURE_WINDOW from one address make that address wait; ACCOUNT_FAILURES against one
  account from anywhere make that account wait for browsers it does not know, while a browser
  that logged in to it before (its `staff_device` cookie) keeps its own count. So a stranger
  can slow guesses but cannot lock the staff out of their usual browsers.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict, deque
from typing import Optional

from web_app.staff import accounts as accounts_module
from web_app.staff.accounts import Accounts, Session

SESSION_COOKIE = "staff_session"
CSRF_COOKIE = "staff_csrf"
DEVICE_COOKIE = "staff_device"
SESSION_SECONDS = accounts_module.SESSION_SECONDS
DEVICE_SECONDS = accounts_module.DEVICE_SECONDS
MAX_FAILURES = 5  # per address, and per known browser
ACCOUNT_FAILURES = 10  # per account, from browsers it does not know
FAILURE_WINDOW = 15 * 60
MAX_TRACKED = 10_000  # addresses, accounts and browsers counted at once (the least recent forgotten)
DEFAULT_USER = "admin"


class Lockout:
    """Failed logins in the last FAILURE_WINDOW seconds, per key; in this process's memory."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._failures: OrderedDict[tuple, deque] = OrderedDict()
        self._lock = threading.Lock()

    def _wait(self, key: tuple, limit: int, now: float) -> float:
        failures = self._failures.get(key)
        if not failures:
            return 0
        while failures and failures[0] <= now - FAILURE_WINDOW:
            failures.popleft()
        if len(failures) < limit:
            return 0
        return failures[-limit] + FAILURE_WINDOW - now

    @staticmethod
    def _keys(address: str, account: Optional[str], device: Optional[str]) -> list:
        """What one attempt counts against: a browser the account knows only against itself; any
        other against its address and, when the account exists, the account."""
        if account is not None and device:
            return [(("device", account, device), MAX_FAILURES)]
        keys = [(("address", address), MAX_FAILURES)]
        if account is not None:
            keys.append((("account", account), ACCOUNT_FAILURES))
        return keys

    def wait_seconds(self, address: str, account: Optional[str] = None, device: Optional[str] = None) -> int:
        """0, or how long this attempt must wait: its address, or the account for browsers it does
        not know, or this known browser (`device`: its id) had too many failures."""
        now = self.clock()
        with self._lock:
            wait = max(self._wait(key, limit, now) for key, limit in self._keys(address, account, device))
        return int(wait) + 1 if wait > 0 else 0

    def failed(self, address: str, account: Optional[str] = None, device: Optional[str] = None) -> None:
        now = self.clock()
        with self._lock:
            for key, _ in self._keys(address, account, device):
                self._failures.setdefault(key, deque(maxlen=ACCOUNT_FAILURES)).append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > MAX_TRACKED:
                self._failures.popitem(last=False)

    def succeeded(self, address: str, account: str, device: Optional[str]) -> None:
        """The address's and the browser's count start again (not the account's: a stranger's
        guesses against it from elsewhere still count)."""
        with self._lock:
            self._failures.pop(("address", address), None)
            if device:
                self._failures.pop(("device", account, device), None)


class StaffAuth:
    def __init__(
        self,
        password: Optional[str],
        user: str = DEFAULT_USER,
        *,
        accounts: Optional[Accounts] = None,
        clock=time.monotonic,
    ):
        from leads import store

        self.accounts = accounts or Accounts(store.default_engine)
        self.lockout = Lockout(clock)
        self._environment = (user, password) if password else None
        self._synced = False
        self._sync_lock = threading.Lock()

    @classmethod
    def from_environment(cls, environ=os.environ) -> StaffAuth:
        return cls(environ.get("STAFF_PASSWORD") or None, (environ.get("STAFF_USER") or DEFAULT_USER).strip())

    @property
    def environment_user(self) -> Optional[str]:
        return self._environment[0] if self._environment else None

    def ready(self) -> None:
        """STAFF_PASSWORD's account in the database (once; the database may be away at start)."""
        if self._synced or self._environment is None:
            return
        with self._sync_lock:
            if not self._synced:
                self.accounts.sync_environment_account(*self._environment)
                self._synced = True

    def enabled(self) -> bool:
        """Whether anyone can log in: STAFF_PASSWORD is set or an account was added."""
        if self._environment is not None:
            return True
        return self.accounts.count() > 0

    # --- login ----------------------------------------------------------------------------
    def login(
        self,
        name: str,
        password: str,
        *,
        address: str,
        device_token: Optional[str],
        old_session: Optional[str],
        user_agent: Optional[str],
    ):
        """("wait", seconds) | ("wrong", None) | ("ok", (session id, device id)). Blocking (scrypt,
        the database): call it from a worker thread."""
        self.ready()
        name = (name or "").strip()[: accounts_module.NAME_MAX]
        exists = bool(name) and self.accounts.get(name) is not None
        known = exists and self.accounts.known_device(device_token, name)
        device = accounts_module.digest(device_token)[:32] if known else None
        counted = name if exists else None  # unknown names are counted per address only
        wait = self.lockout.wait_seconds(address, counted, device)
        if wait:
            return "wait", wait
        account = self.accounts.verify(name, password) if name else None
        if account is None:
            self.lockout.failed(address, counted, device)
            return "wrong", None
        self.lockout.succeeded(address, name, device)
        self.accounts.end_session(old_session)  # never carried over: a new id for every login
        session = self.accounts.start_session(name, address=address, user_agent=user_agent)
        return "ok", (session, self.accounts.remember_device(device_token, name))

    def session(self, token: Optional[str]) -> Optional[Session]:
        """The session of a cookie, or None. Blocking (the database)."""
        if not token:
            return None
        self.ready()
        return self.accounts.session(token)

    def logout(self, token: Optional[str]) -> None:
        self.accounts.end_session(token)

    def change_password(self, session: Session, current: str, new: str, *, address: str, user_agent: Optional[str]):
        """("wrong" | "environment" | "ok", new session id | message). Every session of the
        account ends, this browser gets a new one."""
        if session.account == self.environment_user:
            return "environment", None
        if self.accounts.verify(session.account, current) is None:
            self.lockout.failed(address, session.account)
            return "wrong", None
        self.accounts.set_password(session.account, new)
        return "ok", self.accounts.start_session(session.account, address=address, user_agent=user_agent)

    # --- CSRF -----------------------------------------------------------------------------
    @staticmethod
    def new_csrf_token() -> str:
        return secrets.token_urlsafe(24)

    @staticmethod
    def valid_csrf(cookie: Optional[str], submitted: Optional[str]) -> bool:
        return bool(cookie) and bool(submitted) and hmac.compare_digest(cookie, submitted)
