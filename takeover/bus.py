"""Carries the console's commands (accept, say, end, missed) from the web app to a Rasa server,
which applies them to the conversation and its visitor's socket (channels/takeover.py).

- `make run` (no TAKEOVER_REDIS_URL): one Rasa server; the web app posts each command to it over
  loopback, signed with the widget's key that both processes share (channels/widget_session.py).
- The stack (TAKEOVER_REDIS_URL): the web app pushes the command on a Redis list; one replica
  takes it (BLPOP) and applies it, and python-socketio's Redis manager delivers the visitor's
  message from whichever replica holds the socket.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import time
import urllib.request
from typing import Any, Awaitable, Callable, Dict, Optional

from assistant import settings
from channels import widget_session

logger = logging.getLogger(__name__)
KINDS = ("accept", "say", "end", "missed")
SIGNATURE_HEADER = "X-Takeover-Signature"
MAX_AGE_SECONDS = 60  # a signed command older than this is refused (a replay)
MAX_TEXT = 2000
ROUTE = "/webhooks/socketio/takeover"


class BadCommand(ValueError):
    pass


def queue_key(environ=None) -> str:
    """The Redis list of commands; the stack's LOCK_KEY_PREFIX keeps two stacks on one Redis apart."""
    return f"{settings.LOCK_KEY_PREFIX.value(environ)}:takeover:commands"


def socket_channel(environ=None) -> str:
    """The Redis channel python-socketio's manager shares the widget's emits on."""
    return f"{settings.LOCK_KEY_PREFIX.value(environ)}-widget"


def command(kind: str, conversation_id: str, **fields: Any) -> Dict[str, Any]:
    return {"kind": kind, "conversation": conversation_id, "at": time.time(), **fields}


def checked(data: Any) -> Dict[str, Any]:
    """The command when it is one; BadCommand says what is wrong."""
    if not isinstance(data, dict) or data.get("kind") not in KINDS:
        raise BadCommand("not a takeover command")
    if not isinstance(data.get("conversation"), str) or not data["conversation"]:
        raise BadCommand("no conversation")
    text = data.get("text")
    if data["kind"] == "say" and (not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT):
        raise BadCommand("a message is 1 to 2000 characters")
    return data


def signature(body: bytes, key: Optional[bytes] = None) -> str:
    return hmac.new(key or widget_session.key(), body, hashlib.sha256).hexdigest()


def verified(body: bytes, offered: Optional[str], key: Optional[bytes] = None) -> Dict[str, Any]:
    """The signed command in `body`; BadCommand when the signature, age or shape is wrong."""
    if not offered or not hmac.compare_digest(signature(body, key), offered):
        raise BadCommand("bad signature")
    try:
        data = json.loads(body)
    except ValueError:
        raise BadCommand("not JSON") from None
    at = data.get("at") if isinstance(data, dict) else None
    if not isinstance(at, (int, float)) or abs(time.time() - at) > MAX_AGE_SECONDS:
        raise BadCommand("too old")
    return checked(data)


class LoopbackBus:
    """`make run`: the one Rasa server, over loopback HTTP."""

    def __init__(self, url: str):
        self.url = url.rstrip("/") + ROUTE

    async def publish(self, data: Dict[str, Any]) -> bool:
        body = json.dumps(checked(data), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            self.url,
            data=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: signature(body)},
        )

        def post() -> bool:
            with urllib.request.urlopen(request, timeout=5) as answer:
                return json.loads(answer.read()).get("applied") is True

        try:
            return await asyncio.to_thread(post)
        except (OSError, ValueError) as error:
            logger.error("takeover: the Rasa server did not take a %s command: %r", data["kind"], error)
            return False


class RedisBus:
    """The stack: a Redis list that the replicas take commands from."""

    def __init__(self, url: str):
        import redis.asyncio as redis

        self.url = url
        self.redis = redis.from_url(url)
        self.key = queue_key()

    async def publish(self, data: Dict[str, Any]) -> bool:
        try:
            await self.redis.rpush(self.key, json.dumps(checked(data), ensure_ascii=False))
            return True
        except OSError as error:
            logger.error("takeover: Redis did not take a %s command: %r", data["kind"], error)
            return False

    async def listen(self, apply: Callable[[Dict[str, Any]], Awaitable[bool]]) -> None:
        """Takes commands one at a time for as long as the server runs (a replica that stops
        leaves the rest to the others)."""
        import redis.asyncio as redis

        listener = redis.from_url(self.url)
        while True:
            try:
                found = await listener.blpop(self.key, timeout=5)
                if found:
                    await apply(checked(json.loads(found[1])))
            except asyncio.CancelledError:
                raise
            except (BadCommand, ValueError) as bad:
                logger.warning("takeover: dropped a command from Redis: %s", bad)
            except Exception as error:  # noqa: BLE001 - Redis away: try again shortly, never stop
                logger.error("takeover: reading commands from Redis failed: %r", error)
                await asyncio.sleep(1)


def publisher(environ=None) -> LoopbackBus | RedisBus:
    """The web app's side, from the settings."""
    redis_url = settings.TAKEOVER_REDIS_URL.value(environ)
    if redis_url:
        return RedisBus(redis_url)
    rasa_url = settings.TAKEOVER_RASA_URL.value(environ) or f"http://127.0.0.1:{settings.RASA_PORT.value(environ)}"
    return LoopbackBus(rasa_url)
