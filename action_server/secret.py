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


def install_in_rasa() -> None:
    """Every action endpoint Rasa reads from endpoints.yml sends the secret.

    Patched here rather than written into endpoints.yml because Rasa refuses to start on an
    unset ${VAR}, and `rasa shell` with a plain `rasa run actions` needs no secret."""
    from rasa.core.utils import AvailableEndpoints

    original = AvailableEndpoints.read_endpoints.__func__
    if getattr(original, "sends_secret", False):
        return

    def read_endpoints(cls, endpoint_file):
        endpoints = original(cls, endpoint_file)
        if endpoints.action is not None:
            endpoints.action.headers = {**(endpoints.action.headers or {}), **headers()}
        return endpoints

    read_endpoints.sends_secret = True
    AvailableEndpoints.read_endpoints = classmethod(read_endpoints)
