"""One size limit for what a visitor sends, on every channel, embedded and on the stack.

- HTTP bodies and WebSocket frames on the Rasa server: MAX_BODY_BYTES (Sanic's own defaults,
  100 MB bodies and 1 MB frames, let one visitor stall the others). Over it: 413 / closed socket.
- A message's text: MAX_MESSAGE_CHARS. A longer one is not parsed; the visitor is asked,
  politely and in their script, to send the question alone.
"""
from __future__ import annotations

import logging
import os
from functools import wraps

MAX_BODY_BYTES = 64 * 1024        # nginx's client_max_body_size on the stack is the same
MAX_MESSAGE_CHARS = 2000          # several paragraphs of story plus the question

logger = logging.getLogger(__name__)


def too_long(text) -> bool:
    return isinstance(text, str) and len(text) > MAX_MESSAGE_CHARS and not text.startswith("/")


def set_server_limits(environ=os.environ) -> None:
    """Sanic reads SANIC_* variables into its config when Rasa creates the app."""
    environ.setdefault("SANIC_REQUEST_MAX_SIZE", str(MAX_BODY_BYTES))
    environ.setdefault("SANIC_WEBSOCKET_MAX_SIZE", str(MAX_BODY_BYTES))
    # Rasa's default accept backlog (100) overflows when many widget visitors connect at once.
    environ.setdefault("SANIC_BACKLOG", "1024")


async def reply_instead_of_turn(message, key: str, **values):
    """One line of kb/dialogue.yml, in the visitor's script, sent instead of running the turn;
    returns what Agent.handle_message returns for that channel."""
    from rasa.core.channels.channel import CollectingOutputChannel

    from assistant.kb import load_kb
    from assistant.text import in_script, script_of

    reply = in_script(load_kb().say(key, **values), script_of(message.text or ""))
    await message.output_channel.send_text_message(message.sender_id, reply)
    if isinstance(message.output_channel, CollectingOutputChannel):
        return message.output_channel.messages
    return None


def install_on_agent() -> None:
    """A too-long message gets one polite reply and never reaches the NLU or the stores."""
    from rasa.core.agent import Agent

    original = Agent.handle_message
    if getattr(original, "limits_length", False):
        return

    @wraps(original)
    async def handle_message(self, message):
        if not too_long(message.text):
            return await original(self, message)
        logger.info("message of %d characters from %s refused as too long", len(message.text), message.sender_id)
        return await reply_instead_of_turn(message, "too_long", limit=MAX_MESSAGE_CHARS)

    handle_message.limits_length = True
    Agent.handle_message = handle_message
