"""A short apology with the contacts when the action server is down or too slow.

Why: Rasa 3.6 logs a failed custom-action call and carries on with no events
(processor._run_action), so the visitor gets an empty reply; there is no setting
for it (RasaHQ/rasa#7630). Wrapping RemoteAction.run turns that failure, or a call
slower than ACTION_TIMEOUT_SECONDS (Rasa's own limit is 300 s), into a BotUttered
event. Nothing is cached: the next turn calls the action server again, so answers
resume as soon as it is back.
Likewise a tracker-store (PostgreSQL) or lock-store (Redis) error escapes
Agent.handle_message and the REST channel answers [] with HTTP 200: the same apology
is sent instead, unless the turn's answer was already collected (a failed final save).
Rasa's FailSafeTrackerStore answers a failed read with an empty conversation, so the turn
would run without its context: here the error goes on to the apology, and the turn is kept
in the store's journal when it has one (conversation_store/tracker_store.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
from functools import wraps

import redis.exceptions
import sqlalchemy.exc
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
from rasa.core.agent import Agent
from rasa.core.lock_store import LockError
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.events import BotUttered

from assistant.phrasebook import say

logger = logging.getLogger(__name__)
DEFAULT_TIMEOUT_SECONDS = 8.0


def apology() -> str:
    return say("degraded")


def timeout_seconds() -> float:
    return float(os.environ.get("ACTION_TIMEOUT_SECONDS") or DEFAULT_TIMEOUT_SECONDS)


STORE_ERRORS = (LockError, redis.exceptions.RedisError, sqlalchemy.exc.DBAPIError)


def install() -> None:
    """Wraps RemoteAction.run and Agent.handle_message once per process."""
    if getattr(RemoteAction.run, "degrades", False):
        return
    _wrap_remote_action()
    _wrap_agent()
    _no_context_free_turns()


def _no_context_free_turns() -> None:
    async def retrieve(self, sender_id):
        return await self._tracker_store.retrieve(sender_id)  # an error means the apology

    FailSafeTrackerStore.retrieve = retrieve


def _wrap_remote_action() -> None:
    original = RemoteAction.run

    @wraps(original)
    async def run(self, output_channel, nlg, tracker, domain):
        try:
            return await asyncio.wait_for(original(self, output_channel, nlg, tracker, domain), timeout_seconds())
        except ActionExecutionRejection:
            raise  # the action declined on purpose: Rasa lets other policies answer
        except Exception as error:  # noqa: BLE001 - any failure (even an encoding error) gets the apology
            logger.error("action %s failed, sending the apology: %r", self.name(), error)
            return [BotUttered(apology())]

    run.degrades = True
    RemoteAction.run = run


def _wrap_agent() -> None:
    original = Agent.handle_message

    @wraps(original)
    async def handle_message(self, message):
        try:
            return await original(self, message)
        except STORE_ERRORS as error:
            logger.error("store unavailable for %s, sending the apology: %r", message.sender_id, error)
            if not getattr(message.output_channel, "messages", None):
                await message.output_channel.send_text_message(message.sender_id, apology())
                outer = getattr(self, "tracker_store", None)
                store = getattr(outer, "_tracker_store", outer)
                keep = getattr(store, "keep_failed_turn", None)
                if keep is not None:
                    keep(message.sender_id, message.text, apology())
            return None

    Agent.handle_message = handle_message
