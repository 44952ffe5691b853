"""One kept-alive HTTP session to the action server per event loop, with ujson bodies. Why a patch:
EndpointConfig.session (rasa/utils/endpoints.py) opens a new session and TCP connection for every
custom-action call (5% of a turn) and encodes the tracker with the json module (8%)."""

from __future__ import annotations

import asyncio
import atexit
import weakref

import aiohttp
import ujson

from rasa_patches.version_guard import applies

# Per event loop (a session belongs to the loop it was made on), per headers and credentials.
_sessions: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
IDLE_CONNECTION_SECONDS = 2  # closed before the action server's 5 s keep-alive ends it under us


class _KeptSession:
    """`async with` gives the kept session and leaves it open (aiohttp discourages subclassing)."""

    def __init__(self, session: aiohttp.ClientSession):
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *exc_info) -> None:
        return None

    def __getattr__(self, name: str):
        return getattr(self.session, name)


def _close_sessions(which) -> None:
    """Closes the kept sessions of the loops `which` selects (closing a connector needs no loop)."""
    for loop in [loop for loop in list(_sessions.keys()) if which(loop)]:
        for session in _sessions.pop(loop, {}).values():
            try:
                session.connector.close()
            except Exception:  # noqa: BLE001 - its loop is gone; nothing is left to release
                pass


atexit.register(_close_sessions, lambda loop: True)


def _session(self) -> _KeptSession:
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    key = (tuple(sorted((self.headers or {}).items())), auth)
    _close_sessions(lambda loop: loop.is_closed())
    per_loop = _sessions.setdefault(asyncio.get_running_loop(), {})
    session = per_loop.get(key)
    if session is None or session.closed:
        session = per_loop[key] = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            json_serialize=lambda obj: ujson.dumps(obj, ensure_ascii=False, escape_forward_slashes=False),
            connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_SECONDS),
            timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        )
    return _KeptSession(session)


def install() -> None:
    from rasa.utils.endpoints import EndpointConfig

    if applies(__name__):
        EndpointConfig.session = _session
