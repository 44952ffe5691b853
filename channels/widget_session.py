"""The website widget's sessions: issued by the server, never chosen by the page.

A session id is 128 random bits; the widget keeps it with its token, an HMAC of the id under the
server's secret, and shows both when it reconnects (a reload, a new tab, a dropped network):
a pair that verifies resumes that conversation; anything else gets a new session. So a page can
neither invent a conversation id nor reach another visitor's. The token also proves, to other
services (the ratings endpoint), that the caller was given that session.

The secret is WIDGET_SESSION_SECRET (the same on every replica and the web app) or, when unset,
a random key kept in var/widget_session.key (created on first use, readable by the owner only).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from functools import lru_cache
from pathlib import Path

from assistant import settings

ROOT = Path(__file__).resolve().parent.parent
KEY_FILE = ROOT / "var" / "widget_session.key"
SESSION = re.compile(r"[0-9a-f]{32}")
TOKEN = re.compile(r"[0-9a-f]{32}")


def configured_secret(environ=os.environ) -> str:
    """WIDGET_SESSION_SECRET, or "" to use the key file."""
    return settings.WIDGET_SESSION_SECRET.value(environ)


@lru_cache(maxsize=1)
def _key() -> bytes:
    configured = configured_secret()
    if configured:
        return configured.encode("utf-8")
    try:
        return KEY_FILE.read_bytes()
    except FileNotFoundError:
        KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode("ascii")
        try:
            # O_EXCL: of two processes starting together, one writes and both read its key.
            fd = os.open(KEY_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return KEY_FILE.read_bytes()
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key


def key() -> bytes:
    """The key the widget's session tokens are made with (channels/rating_token.py checks them too)."""
    return _key()


def token_for(session_id: str) -> str:
    return hmac.new(_key(), session_id.encode("ascii"), hashlib.sha256).hexdigest()[:32]


def issue() -> tuple[str, str]:
    """A new (session id, token)."""
    session_id = secrets.token_hex(16)
    return session_id, token_for(session_id)


def valid(session_id, token) -> bool:
    """True when the pair was issued by this server (same secret)."""
    return (
        isinstance(session_id, str)
        and isinstance(token, str)
        and bool(SESSION.fullmatch(session_id) and TOKEN.fullmatch(token))
        and hmac.compare_digest(token_for(session_id), token)
    )


def resume_or_issue(offered) -> tuple[str, str, bool]:
    """(session id, token, resumed) for a session_request's data."""
    if isinstance(offered, dict) and valid(offered.get("session_id"), offered.get("token")):
        return offered["session_id"], offered["token"], True
    return (*issue(), False)
