"""Who may see the console: one staff password (STAFF_PASSWORD), signed session cookies,
CSRF tokens on every form, and a limit on failed logins.

- The password is kept only as a salted scrypt hash, compared in constant time.
- A session is a cookie `expiry.signature` (HMAC-SHA256 with STAFF_SESSION_SECRET, else a
  secret generated at start-up: a restart logs everyone out). HttpOnly, SameSite=Strict,
  Secure when the console is served over https.
- Every POST carries a token equal to the `staff_csrf` cookie (double submit); a form from
  another site can neither read nor set it.
- After MAX_FAILURES wrong passwords from one address within FAILURE_WINDOW seconds, that
  address must wait until the oldest failure leaves the window.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections import defaultdict, deque
from typing import Optional

SESSION_COOKIE = "staff_session"
CSRF_COOKIE = "staff_csrf"
SESSION_SECONDS = 12 * 3600
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60


def _scrypt(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=2**14, r=8, p=1, dklen=32)


class StaffAuth:
    def __init__(self, password: Optional[str], secret: Optional[str] = None, clock=time.time):
        self.enabled = bool(password)
        self._salt = secrets.token_bytes(16)
        self._hash = _scrypt(password, self._salt) if password else None
        self._key = (secret or secrets.token_urlsafe(32)).encode("utf-8")
        self._clock = clock
        self._failures: defaultdict[str, deque] = defaultdict(deque)

    @classmethod
    def from_environment(cls, environ=os.environ) -> StaffAuth:
        return cls(environ.get("STAFF_PASSWORD") or None, environ.get("STAFF_SESSION_SECRET") or None)

    # --- password and failed attempts ------------------------------------------------
    def wait_seconds(self, address: str) -> int:
        """0, or how long this address must wait before trying again."""
        failures = self._failures[address]
        now = self._clock()
        while failures and failures[0] < now - FAILURE_WINDOW:
            failures.popleft()
        if len(failures) < MAX_FAILURES:
            return 0
        return int(failures[0] + FAILURE_WINDOW - now) + 1

    def check_password(self, address: str, password: str) -> bool:
        if not self.enabled:
            return False
        good = hmac.compare_digest(_scrypt(password or "", self._salt), self._hash)
        if good:
            self._failures.pop(address, None)
        else:
            self._failures[address].append(self._clock())
        return good

    # --- sessions ---------------------------------------------------------------------
    def _sign(self, value: str) -> str:
        return hmac.new(self._key, value.encode("ascii"), hashlib.sha256).hexdigest()

    def new_session(self) -> str:
        expiry = str(int(self._clock()) + SESSION_SECONDS)
        return f"{expiry}.{self._sign(expiry)}"

    def valid_session(self, cookie: Optional[str]) -> bool:
        if not self.enabled or not cookie or cookie.count(".") != 1:
            return False
        expiry, signature = cookie.split(".")
        if not expiry.isdigit() or not hmac.compare_digest(self._sign(expiry), signature):
            return False
        return int(expiry) > self._clock()

    # --- CSRF -------------------------------------------------------------------------
    @staticmethod
    def new_csrf_token() -> str:
        return secrets.token_urlsafe(24)

    @staticmethod
    def valid_csrf(cookie: Optional[str], submitted: Optional[str]) -> bool:
        return bool(cookie) and bool(submitted) and hmac.compare_digest(cookie, submitted)
