"""A small bounded, expiring map (dedup of retries, per-visitor buttons and pages)."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable, Hashable, Optional


class TtlCache:
    def __init__(self, max_entries: int, ttl_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.max_entries = max_entries
        self.ttl = ttl_seconds
        self.clock = clock
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def get(self, key: Hashable) -> Optional[Any]:
        item = self._items.get(key)
        if item is None or item[0] < self.clock():
            self._items.pop(key, None)
            return None
        return item[1]

    def set(self, key: Hashable, value: Any, ttl_seconds: Optional[float] = None) -> None:
        self._items.pop(key, None)
        self._items[key] = (self.clock() + (self.ttl if ttl_seconds is None else ttl_seconds), value)
        # Oldest entries go first, so memory stays bounded under a flood of senders.
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)

    def pop(self, key: Hashable) -> Optional[Any]:
        value = self.get(key)
        self._items.pop(key, None)
        return value
