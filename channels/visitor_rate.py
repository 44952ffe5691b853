"""One visitor cannot slow the others: a token bucket per conversation, on every channel.

A person types a message every few seconds; a script can send hundreds a second into one
conversation, and each of its turns costs the one asyncio process as much as anyone's.
A message within the visitor's allowance (VISITOR_RATE_BURST at once, then
VISITOR_RATE_PER_SECOND) is answered at once (channels.turn). A faster one waits for its turn, which costs
nothing while it waits, so a sender looping as fast as the server answers is slowed to the
rate. One that would wait more than MAX_WAIT_SECONDS (many sent at once) is not answered
but gets one polite line. VISITOR_RATE_PER_SECOND=0 turns the limit off.

Per process: on the stack, socket.io and WeChat visitors always reach the same replica;
nginx limits each client address as well (STACK_RATE_PER_SECOND).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import Optional

from assistant import settings

MAX_WAIT_SECONDS = 10.0
MAX_TRACKED_VISITORS = 100_000  # the least recently seen are forgotten (their bucket was full)

logger = logging.getLogger(__name__)


class VisitorRate:
    def __init__(self, per_second: float, burst: float, clock=time.monotonic):
        self.per_second = per_second
        self.burst = max(burst, 1.0)
        self.clock = clock
        self.buckets: OrderedDict[str, tuple] = OrderedDict()  # visitor -> (tokens, at)

    @classmethod
    def from_settings(cls, environ=None) -> VisitorRate:
        return cls(settings.VISITOR_RATE_PER_SECOND.number(environ), settings.VISITOR_RATE_BURST.number(environ))

    @property
    def enabled(self) -> bool:
        return self.per_second > 0

    def wait_for(self, visitor: str) -> Optional[float]:
        """Seconds this message must wait for its turn (0: none), its turn then reserved;
        None when it would wait longer than MAX_WAIT_SECONDS (nothing is reserved)."""
        now = self.clock()
        tokens, at = self.buckets.pop(visitor, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.per_second)
        wait = max(0.0, (1.0 - tokens) / self.per_second)
        if wait > MAX_WAIT_SECONDS:
            self.buckets[visitor] = (tokens, now)
            return None
        self.buckets[visitor] = (tokens - 1.0, now)
        while len(self.buckets) > MAX_TRACKED_VISITORS:
            self.buckets.popitem(last=False)
        return wait
