"""The callback request: a form that collects how to address the visitor, a phone
number or WeChat ID, the need and a convenient time; a summary to confirm; then
the lead is stored (leads.intake) exactly once."""

from __future__ import annotations

import asyncio
import logging
import re
from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.answers import button
from actions.facts import page_reply
from actions.replies import Reply, send, typed, understood
from assistant.clauses import is_question
from assistant.client_address import CLIENT_ADDRESS
from assistant.kb import load_kb
from assistant.phrasebook import load_phrasebook, say
from assistant.wording import glossary, normalize
from leads import contact, office_hours, screening
from leads.intake import arecord_lead
from privacy import settings as privacy_settings
from takeover import queue

logger = logging.getLogger(__name__)
LEAD_SLOTS = ["lead_name", "lead_contact", "lead_need", "lead_time"]
# Longer than this is a sentence, not a way to address someone.
MAX_NAME_CHARS = 12


def texts() -> dict:
    return load_phrasebook().callback


def field_words() -> dict:
    """What a correction message is about, per slot (kb/dialogue.yml callback.field_words)."""
    return {slot: "|".join(map(re.escape, words)) for slot, words in texts()["field_words"].items()}


def offer_reply() -> Reply:
    """Appended to every handoff: contacts are given, and a callback is offered."""
    t = texts()
    return Reply(t["offer"], [button(t["offer_button"], "request_callback"), button(t["decline_button"], "deny")])


def split_contact(value: str) -> dict[str, str | None]:
    """A stored contact is a phone number (digits only) or a WeChat ID."""
    phone = contact.normalize_phone(value)
    return {"phone": phone, "wechat": None if phone else value}


def parse_contact(text: str) -> str | None:
    """A mobile number or WeChat ID, typed alone or in a sentence (我的微信是 abc123)."""
    return (
        contact.normalize_phone(text)
        or contact.find_phone(text)
        or contact.normalize_wechat(text)
        or contact.find_wechat(text)
    )


def client_address(tracker: Tracker) -> str | None:
    """The visitor's address, as the channel stamped it on the message (never the visitor's own
    metadata: the channels overwrite `client_address`); None on WeChat, where all calls come
    from Tencent."""
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    address = metadata.get(CLIENT_ADDRESS) if isinstance(metadata, dict) else None
    return address if isinstance(address, str) else None


def _plain(value: str) -> str:
    return re.sub(r"[\s。.!！~～,，?？]+", "", str(value or "")).lower()


def parse_name(text: str) -> str | None:
    """How to address the visitor; never a command, a button word, a question or a number."""
    name = contact.normalize_name(text)
    if name is None or len(name) > MAX_NAME_CHARS:
        return None
    if _plain(name) in {_plain(w) for w in texts()["not_a_name"]} or is_question(name) or parse_contact(name):
        return None
    return name


def parse_time(text: str) -> str | None:
    """Something that reads as a time (明天下午三点, 工作日晚上), or 随时 for any time."""
    value = str(text or "").strip()
    plain = _plain(value)
    if not plain:
        return None
    if any(plain == _plain(w) or plain.startswith(_plain(w)) for w in texts()["any_time_words"]):
        return texts()["any_time"]
    if plain.isdigit() or _plain(value) in {_plain(w) for w in texts()["not_a_name"]}:
        return None
    if not any(word in plain for word in texts()["time_words"]):
        return None
    return contact.normalize_preferred_time(value)


class AskForLeadSlot(Action, ABC):
    """Asks for one slot of the form; abstract, so rasa_sdk registers only the four below."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot asked for."""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        # Only the contact question carries the notice's placeholders.
        notice = {"retention_days": privacy_settings.retention_days(), "privacy_url": privacy_settings.privacy_url()}
        return send(dispatcher, tracker, [Reply(texts()[f"ask_{self.slot}"].format(**notice))])


class ActionAskLeadName(AskForLeadSlot):
    slot = "lead_name"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        # The form's first question: a visitor waiting for a person chose a callback instead.
        try:
            await asyncio.to_thread(queue.withdraw, tracker.sender_id)
        except SQLAlchemyError as error:  # the wait then ends by itself (TAKEOVER_ACCEPT_SECONDS)
            logger.error("takeover: could not withdraw %s's request: %r", tracker.sender_id, error)
        asked = ((tracker.latest_message or {}).get("intent") or {}).get("name") == "request_callback"
        if asked and not _tapped_the_offer(tracker):
            # Could someone contact me?: the contacts come first, whoever calls back later
            send(dispatcher, tracker, [Reply(say("contacts_before_callback"))])
        return await super().run(dispatcher, tracker, domain)


def _asks_next_steps(tracker: Tracker) -> bool:
    """接下来是个啥流程 / 然后呢 / 多久能打过来, asked while the form asks its questions."""
    said = normalize(typed(tracker))
    return any(cue in said for cue in glossary()["asks_next_steps"])


def _tapped_the_offer(tracker: Tracker) -> bool:
    """The visitor tapped 请客服回电 under the contacts just shown (a button's /intent payload)."""
    return str((tracker.latest_message or {}).get("text") or "").startswith("/")


class ActionAskLeadContact(AskForLeadSlot):
    slot = "lead_contact"


class ActionAskLeadNeed(AskForLeadSlot):
    slot = "lead_need"


class ActionAskLeadTime(AskForLeadSlot):
    slot = "lead_time"


class ValidateCallbackForm(FormValidationAction):
    def name(self) -> str:
        return "validate_callback_form"

    def _checked(self, slot: str, value: str | None, dispatcher, tracker) -> dict[str, Any]:
        if _asks_next_steps(tracker):  # 好，那接下来是个啥流程: what happens next, then the question again
            send(dispatcher, tracker, [Reply(say("callback_next_steps"))])
            return {slot: None}
        if value is None:
            send(dispatcher, tracker, [Reply(texts()[f"invalid_{slot}"])])
        return {slot: value}

    async def validate_lead_name(self, value, dispatcher, tracker, domain):
        # 13912346621 姓周: the number is the contact, the rest the name (the form then skips its question)
        said = str(value or "")
        number = contact.find_phone(said) or contact.find_wechat(said)
        rest = said.replace(number, " ").strip(" ，,。.") if number else ""
        if number and rest and parse_name(rest) and not tracker.get_slot("lead_contact"):
            return {**self._checked("lead_name", parse_name(rest), dispatcher, tracker), "lead_contact": number}
        return self._checked("lead_name", parse_name(value), dispatcher, tracker)

    async def validate_lead_contact(self, value, dispatcher, tracker, domain):
        return self._checked("lead_contact", parse_contact(str(value or "")), dispatcher, tracker)

    async def validate_lead_need(self, value, dispatcher, tracker, domain):
        """Any description of what the visitor wants done; a real page question is answered instead."""
        message = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        if is_question(str(value or "")) and not _asks_next_steps(tracker):
            answered = page_reply(load_kb(), intent, message, tracker.current_slot_values())
            if answered:
                reply, events = answered
                send(dispatcher, tracker, [reply])
                return {"lead_need": None, **{e["name"]: e["value"] for e in events if e.get("event") == "slot"}}
        return self._checked("lead_need", contact.normalize_need(value), dispatcher, tracker)

    async def validate_lead_time(self, value, dispatcher, tracker, domain):
        return self._checked("lead_time", parse_time(value), dispatcher, tracker)


class ActionConfirmLead(Action):
    def name(self) -> str:
        return "action_confirm_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        t = texts()
        values = {s: tracker.get_slot(s) or "" for s in LEAD_SLOTS}
        buttons = [
            button(t["confirm_button"], "affirm"),
            button(t["change_button"], "correct_lead"),
            button(t["cancel_button"], "deny"),
        ]
        return send(dispatcher, tracker, [Reply(t["summary"].format(**values), buttons)])


class ActionSaveLead(Action):
    def name(self) -> str:
        return "action_save_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        t = texts()
        kb = load_kb()
        values = {s: tracker.get_slot(s) for s in LEAD_SLOTS}
        if not values["lead_contact"]:
            return send(dispatcher, tracker, [Reply(t["already_saved"])])
        try:
            result = await arecord_lead(
                channel=tracker.get_latest_input_channel() or "unknown",
                conversation_id=tracker.sender_id,
                name=values["lead_name"],
                need=values["lead_need"],
                preferred_time=values["lead_time"],
                client_address=client_address(tracker),
                form_seconds=screening.form_seconds(tracker.events),
                **split_contact(values["lead_contact"]),
            )
        except Exception:  # noqa: BLE001 - the visitor must still get a way to reach us
            logger.exception("could not store a lead for conversation %s", tracker.sender_id)
            text = t["save_failed"].format(**kb.contacts)
        else:
            if result.refused:
                text = t["limit_reached"].format(**kb.contacts)
            elif not result.created:
                text = t["already_saved"]
            elif office_hours.is_open():
                text = t["saved"]
            else:
                text = t["saved_after_hours"].format(opening=office_hours.describe_next_opening())
        return send(dispatcher, tracker, [Reply(text)]) + [SlotSet(s, None) for s in LEAD_SLOTS] + understood()


class ActionCancelCallback(Action):
    def name(self) -> str:
        return "action_cancel_callback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        text = texts()["cancelled"].format(**load_kb().contacts)
        events = [ActiveLoop(None), SlotSet("requested_slot", None)] + [SlotSet(s, None) for s in LEAD_SLOTS]
        return send(dispatcher, tracker, [Reply(text)]) + events


class ActionCorrectLead(Action):
    """电话写错了 / 修改联系方式: clear that field (or take the new value given) and ask again."""

    def name(self) -> str:
        return "action_correct_lead"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        message = tracker.latest_message or {}
        text = message.get("text") or ""
        named = [e.get("value") for e in message.get("entities") or [] if e.get("entity") == "lead_field"]
        field = next((f for f in named if f in LEAD_SLOTS), None) or next(
            (f for f, words in field_words().items() if re.search(words, text)), None
        )
        if field is None:
            t = texts()
            return send(
                dispatcher,
                tracker,
                [
                    Reply(
                        t["which_change"],
                        [
                            button(t["change_name_button"], "correct_lead", lead_field="lead_name"),
                            button(t["change_contact_button"], "correct_lead", lead_field="lead_contact"),
                            button(t["change_need_button"], "correct_lead", lead_field="lead_need"),
                        ],
                    )
                ],
            )
        if field == "lead_contact" and parse_contact(text):
            return [SlotSet(field, parse_contact(text))]
        return [SlotSet(field, None)]
