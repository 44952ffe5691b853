"""Hands the visitor to 创意岭's customer service: contacts, prices, a person."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.answers import button
from actions.callback import offer_reply, texts
from actions.replies import Reply, send, understood
from assistant import metrics, settings
from assistant.phrasebook import say
from leads import office_hours
from takeover import notify, queue

logger = logging.getLogger(__name__)

# WeChat can pass the conversation to its human agents (transfer_customer_service).
TRANSFER_CHANNELS = {"wechat"}
# Where an agent in the console can take over (takeover/, channels/takeover.py): the widget, and
# WeChat when its customer-service message API is configured.
TAKEOVER_CHANNELS = {"socketio"}


def takeover_enabled(channel: str | None) -> bool:
    if channel == "wechat":
        return bool(settings.WECHAT_APP_ID.value() and settings.WECHAT_APP_SECRET.value())
    return channel in TAKEOVER_CHANNELS


def transfer_enabled(channel: str | None) -> bool:
    return channel in TRANSFER_CHANNELS and settings.WECHAT_TRANSFER_TO_HUMAN.value() != "0"


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        metrics.record_handoff(tracker.get_latest_input_channel())
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name")
        services = [e.get("value") for e in message.get("entities") or [] if e.get("entity") == "service"]
        if intent == "ask_price":
            text = say("price", service=services[0]) if services else say("price_generic")
        else:
            text = say("handoff")
        if (tracker.active_loop or {}).get("name"):  # inside the callback form: it resumes next
            return send(dispatcher, tracker, [Reply(text + "\n" + say("handoff_in_form"))]) + understood()
        if intent == "request_human" and takeover_enabled(tracker.get_latest_input_channel()):
            place = await _queued(tracker)
            if place is not None:
                waiting = say("takeover_queued", place=place.place, seconds=place.accept_seconds)
                return (
                    send(dispatcher, tracker, [Reply(waiting, [button(texts()["offer_button"], "request_callback")])])
                    + understood()
                )
        custom = None
        if intent == "request_human" and transfer_enabled(tracker.get_latest_input_channel()):
            # The WeChat channel transfers only when an agent can take over; the text is always shown.
            custom = {"type": "handoff", "kf_account": settings.WECHAT_KF_ACCOUNT.value() or None}
        return send(dispatcher, tracker, [Reply(text, custom=custom), offer_reply()]) + understood()


async def _queued(tracker: Tracker):
    """The visitor's place in the queue when an agent is online, else None (recorded as missed)."""
    channel = tracker.get_latest_input_channel()
    try:
        office_open = office_hours.is_open()
        place = await asyncio.to_thread(queue.ask, tracker.sender_id, channel, office_open=office_open)
    except SQLAlchemyError as error:  # the contacts, as when nobody is online
        logger.error("takeover: the queue is unavailable: %r", error)
        return None
    if place is None and office_open:
        notify.nobody_online(channel)  # the group robot, like a new lead
    return place
