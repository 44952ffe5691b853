"""A stand-in for Rasa's Agent around a scripted bot, for testing a channel on its own: the
channel's turns (channels/turn.py) run as in the server, and each message reaches `handle`."""

from __future__ import annotations

from types import SimpleNamespace

from rasa.core.lock_store import InMemoryLockStore


class ScriptedAgent:
    def __init__(self, handle):
        self.lock_store = InMemoryLockStore()
        self.tracker_store = SimpleNamespace(retrieve=self._no_conversation)
        self.processor = SimpleNamespace(parse_message=self._not_understood, handle_message=handle)

    def is_ready(self) -> bool:
        return True

    @staticmethod
    async def _no_conversation(sender_id):
        return None

    @staticmethod
    async def _not_understood(message, tracker=None) -> dict:
        return {"text": message.text, "intent": {"name": None, "confidence": 0.0}, "entities": []}
