"""The shared secret between the Rasa servers and the action servers.

scripts/run.sh and scripts/stack.sh generate one per run when ACTION_SERVER_SECRET is unset and
give it to both sides; the Rasa side sends it in a header on every action call."""

from __future__ import annotations

import hmac
import os
import secrets
from typing import Mapping, Optional

ENV = "ACTION_SERVER_SECRET"
HEADER = "X-Action-Secret"
MIN_CHARS = 16


def from_env(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    value = environ.get(ENV, "").strip()
    return value or None


def generate() -> str:
    return secrets.token_urlsafe(32)


def headers(environ: Mapping[str, str] = os.environ) -> dict:
    """What the Rasa side adds to every action call (nothing when no secret is configured)."""
    secret = from_env(environ)
    return {HEADER: secret} if secret else {}


def verdict(sent: Optional[str], expected: str) -> Optional[int]:
    """None when `sent` is the secret, else the HTTP status to refuse with (constant time)."""
    if not sent:
        return 401
    return None if hmac.compare_digest(sent.encode("utf-8"), expected.encode("utf-8")) else 403
