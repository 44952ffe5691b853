"""Redis lock store whose every change to a conversation's lock is one transaction.

Why: Rasa 3.6's RedisLockStore reads a lock, changes it and writes it back in separate
commands, so replicas taking tickets for the same visitor at the same moment overwrite
each other's tickets (RasaHQ/rasa#9213): measured here, 5 of 20 simultaneous messages
failed with LockError. Each change below runs under WATCH/MULTI and is retried when
another process changed the lock in between, so tickets are never lost.

Two more changes make a replica's crash and a visitor's burst of messages both safe:
- Tickets are kept alive. Every holder or waiter pushes its ticket's expiry forward
  while its replica lives, so the lifetime (TICKET_LOCK_LIFETIME) only has to cover a
  dead replica: its tickets lapse within that time and the conversation moves on.
  Rasa's fixed lifetime had to be long enough for a whole queue of messages too.
- Waiters poll quickly, then back off (5 ms growing to 200 ms) instead of Rasa's
  fixed 1 s, so the next message of a queue starts right after the previous one.
Configured in endpoints.production.yml as `type: production.lock_store.AtomicRedisLockStore`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Tuple

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, LockError, RedisLockStore
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig

FIRST_POLL_SECONDS = 0.005
MAX_POLL_SECONDS = 0.2

logger = logging.getLogger(__name__)
Change = Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Any]]


KEY_PREFIX = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url, **endpoint_config.kwargs)

    def _set_key_prefix(self, key_prefix: str) -> None:
        # Rasa replaces a prefix that is not purely alphanumeric ("chuangyiling-prod") by its
        # default without a word, so two stacks sharing a Redis would share their locks.
        if not (isinstance(key_prefix, str) and KEY_PREFIX.fullmatch(key_prefix)):
            raise RasaException(f"LOCK_KEY_PREFIX {key_prefix!r} must be 1-64 letters, digits, '_', '-' or '.'")
        self.key_prefix = f"{key_prefix}:{DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX}"

    def _change(self, conversation_id: str, change: Change) -> Any:
        """Applies `change` (old lock -> new lock or None to delete, result) atomically."""
        key = self.key_prefix + conversation_id
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    stored = pipe.get(key)
                    lock, result = change(TicketLock.from_dict(json.loads(stored)) if stored else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def add(lock):
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, add)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def prune(lock):
            if lock:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, prune)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock):
            if lock:
                lock.remove_ticket_for(ticket_number)
            return (lock if lock and lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)

    def refresh_ticket(self, conversation_id: str, ticket_number: int, lock_lifetime: float) -> bool:
        """Moves a live ticket's expiry to `lock_lifetime` from now; False if it is gone."""

        def extend(lock):
            ticket = next((t for t in lock.tickets if t.number == ticket_number), None) if lock else None
            if ticket is None:
                return lock, False
            ticket.expires = time.time() + lock_lifetime
            return lock, True

        return self._change(conversation_id, extend)

    async def _keep_alive(self, conversation_id: str, ticket_number: int, lock_lifetime: float) -> None:
        while True:
            await asyncio.sleep(lock_lifetime / 4)
            try:
                if not self.refresh_ticket(conversation_id, ticket_number, lock_lifetime):
                    return
            except redis.RedisError as error:  # Redis restarting: the turn's own calls report it
                logger.warning("could not refresh the lock of %s: %r", conversation_id, error)

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = MAX_POLL_SECONDS
    ) -> AsyncGenerator[TicketLock, None]:
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        keeper = asyncio.ensure_future(self._keep_alive(conversation_id, ticket, lock_lifetime))
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            keeper.cancel()
            self.cleanup(conversation_id, ticket)

    async def _acquire_lock(self, conversation_id: str, ticket: int, wait_time_in_seconds: float) -> TicketLock:
        wait, longest = FIRST_POLL_SECONDS, min(wait_time_in_seconds, MAX_POLL_SECONDS)
        while True:
            lock = self.get_lock(conversation_id)
            if not lock:
                raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
            tickets = len(lock.tickets)
            if not lock.is_locked(ticket):  # also drops expired tickets from this copy
                return lock
            if all(t.number != ticket for t in lock.tickets):  # ours lapsed: never wait forever
                raise LockError(f"Lock ticket {ticket} of conversation '{conversation_id}' expired.")
            if len(lock.tickets) < tickets:  # a dead replica's ticket lapsed: remove it for everyone
                self.update_lock(conversation_id)
            await asyncio.sleep(wait)
            wait = min(wait * 1.5, longest)
