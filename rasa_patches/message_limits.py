"""A too-long message (channels.limits.MAX_MESSAGE_CHARS) gets one polite reply in the
visitor's script and never reaches the NLU or the stores."""

from __future__ import annotations

import logging
from functools import wraps

from channels.limits import MAX_MESSAGE_CHARS, too_long

logger = logging.getLogger(__name__)


async def reply_instead_of_turn(message, key: str, **values):
    """One line of kb/dialogue.yml, in the visitor's script, sent instead of running the turn;
    returns what Agent.handle_message returns for that channel."""
    from rasa.core.channels.channel import CollectingOutputChannel

    from assistant.phrasebook import say
    from assistant.text import in_script, script_of

    reply = in_script(say(key, **values), script_of(message.text or ""))
    await message.output_channel.send_text_message(message.sender_id, reply)
    if isinstance(message.output_channel, CollectingOutputChannel):
        return message.output_channel.messages
    return None


def install() -> None:
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
