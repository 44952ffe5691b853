"""What a turn treats as "the stores are unavailable": the conversation's lock (Redis) or its
events (PostgreSQL, SQLite) could not be reached. The visitor then gets the apology with the
contacts (channels/turn.py) instead of an answer without context."""

from __future__ import annotations

import redis.exceptions
import sqlalchemy.exc
from rasa.core.lock_store import LockError

STORE_ERRORS = (LockError, redis.exceptions.RedisError, sqlalchemy.exc.DBAPIError)


def primary_store(tracker_store):
    """The project's own tracker store inside the FailSafeTrackerStore Rasa's agent wraps it
    in: the wrapper answers a failed read with an empty conversation instead of the error."""
    return getattr(tracker_store, "_tracker_store", tracker_store)
