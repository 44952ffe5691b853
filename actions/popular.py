"""猜你想问 on opening: the page questions visitors asked most in the last 30 days (the counts
of the staff report, read from the tracker store), else the knowledge base's own order.
Recomputed at most every CACHE_SECONDS; any failure to read falls back to the page's order."""

from __future__ import annotations

import logging
import time
from typing import List

from assistant.kb import KnowledgeBase
from leads import store

CACHE_SECONDS = 600
DAYS = 30
logger = logging.getLogger(__name__)
_cache = {"at": None, "keys": []}  # None: never read (monotonic time may start near 0)


def most_asked(kb: KnowledgeBase, limit: int = 4) -> List[str]:
    """Up to `limit` keys of comparisons or facts, most asked first; comparisons fill the rest."""
    if _cache["at"] is None or time.monotonic() - _cache["at"] > CACHE_SECONDS:
        _cache.update(at=time.monotonic(), keys=_counted_keys(kb))
    keys = [k for k in _cache["keys"] if k in kb.comparisons or k in kb.facts][:limit]
    return keys + [k for k in kb.comparisons if k not in keys][: max(limit - len(keys), 0)]


def _counted_keys(kb: KnowledgeBase) -> List[str]:
    try:
        from conversation_store.archive import Archive, since_days

        tz = store.local_tz()
        return [key for key, _ in Archive().report(since_days(DAYS, tz), tz).topics]
    except Exception as error:  # noqa: BLE001 - an unreadable store must not break the greeting
        logger.warning("most asked questions unavailable (%s): the page's order is used", type(error).__name__)
        return []
