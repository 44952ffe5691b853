"""The apology with the contacts when the action server is down, too slow or failing.

Why a patch: Rasa 3.6 logs a failed custom action and carries on with no events (rasa/core/processor.py
`_run_action`; RasaHQ/rasa#7630), so the visitor gets silence, after up to 300 s. A failure or a call
slower than ACTION_TIMEOUT_SECONDS becomes the apology; the next turn calls the action server again."""

from __future__ import annotations

import asyncio
import logging
from functools import wraps

from assistant import settings
from assistant.phrasebook import say
from assistant.text import in_script, script_of
from rasa_patches.version_guard import applies

logger = logging.getLogger(__name__)


def apology(tracker=None) -> str:
    text = (tracker.latest_message.text if tracker is not None and tracker.latest_message else "") or ""
    return in_script(say("degraded"), script_of(text))


def install() -> None:
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.core.events import BotUttered

    original = RemoteAction.run
    if getattr(original, "degrades", False) or not applies(__name__):
        return

    @wraps(original)
    async def run(self, output_channel, nlg, tracker, domain):
        try:
            return await asyncio.wait_for(
                original(self, output_channel, nlg, tracker, domain), settings.ACTION_TIMEOUT_SECONDS.number()
            )
        except ActionExecutionRejection:
            raise  # the action declined on purpose: Rasa lets other policies answer
        except Exception as error:  # noqa: BLE001 - any failure (even an encoding error) gets the apology
            logger.error("action %s failed, sending the apology: %r", self.name(), error)
            return [BotUttered(apology(tracker))]

    run.degrades = True
    RemoteAction.run = run
