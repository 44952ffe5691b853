"""Replays of a signed request. In 明文 and 兼容 mode WeChat's `signature` covers only the
token, `timestamp` and `nonce`, not the body or the openid: whoever saw one request could send
any message as any follower with it for as long as the timestamp is fresh. So each
timestamp/nonce is remembered, with a digest of what it came with, until the signature expires:
the same request again (WeChat's retry) passes, anything else with it is refused.

Shared across the stack's fronts through Redis (WECHAT_REPLAY_REDIS_URL); in memory in the
embedded run, which has one front."""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Callable, Mapping, Optional

from channels.wechat.memory import TtlCache
from channels.wechat.security import Rejected

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 0.5  # a slow Redis must not cost WeChat its 5 s


def fingerprint(args: Mapping[str, str], body: bytes) -> str:
    """What a retry repeats exactly: the body and the openid WeChat adds to the URL."""
    return hashlib.sha256(args.get("openid", "").encode() + b"\0" + body).hexdigest()


class NonceMemory:
    """Nonces in this process (`make run`); the fallback of the shared one."""

    def __init__(self, max_entries: int = 200_000, clock: Callable[[], float] = time.time):
        self.clock = clock
        # Bounded: past max_entries the oldest go first. WeChat's own rate is far below this
        # within one signature lifetime; a flood of fresh forged nonces fails the signature first.
        self.seen = TtlCache(max_entries=max_entries, ttl_seconds=600, clock=clock)

    async def remember(self, key: str, digest: str, ttl: int) -> str:
        """The digest first stored under the key (this one, if it is new)."""
        first = self.seen.get(key)
        if first is None:
            self.seen.set(key, digest, ttl)
            return digest
        return first


class RedisNonces:
    """Nonces in Redis: SET NX with the signature's remaining lifetime, shared by every front."""

    def __init__(self, url: str, fallback: Optional[NonceMemory] = None):
        import redis.asyncio as aioredis  # only the stack needs it

        self.redis = aioredis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_SECONDS, socket_connect_timeout=REDIS_TIMEOUT_SECONDS
        )
        self.fallback = fallback or NonceMemory()
        self._warned = False

    async def remember(self, key: str, digest: str, ttl: int) -> str:
        try:
            if await self.redis.set(key, digest, nx=True, ex=ttl):
                return digest
            first = await self.redis.get(key)
            return first.decode() if first is not None else digest
        except Exception as error:  # redis-py's errors and timeouts: keep answering WeChat
            if not self._warned:
                logger.warning(
                    "WeChat replay memory: Redis unreachable (%s); nonces kept in this process only",
                    type(error).__name__,
                )
                self._warned = True
            return await self.fallback.remember(key, digest, ttl)


class ReplayGuard:
    def __init__(self, token: str, max_clock_skew_seconds: float, nonces, clock: Callable[[], float] = time.time):
        # Several deployments may share a Redis: keys carry a digest of the token.
        self.prefix = "wechat-nonce:" + hashlib.sha256(token.encode()).hexdigest()[:12] + ":"
        self.skew = max_clock_skew_seconds
        self.nonces = nonces
        self.clock = clock

    async def check(self, args: Mapping[str, str], body: bytes) -> None:
        """Call after the signature and freshness checks passed; raises Rejected on a replay."""
        timestamp, nonce = args["timestamp"], args["nonce"]
        # The request stays acceptable until its timestamp is `skew` behind the clock.
        ttl = max(1, int(int(timestamp) + self.skew - self.clock()) + 1)
        digest = fingerprint(args, body)
        first = await self.nonces.remember(f"{self.prefix}{timestamp}:{nonce}", digest, ttl)
        if first != digest:
            raise Rejected(403, "this signature was already used for another message")


def nonce_store(redis_url: Optional[str]):
    return RedisNonces(redis_url) if redis_url else NonceMemory()
