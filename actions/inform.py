"""A message that is only a number, a phone number, a WeChat ID or a need, outside the form.

A phone number or WeChat ID offers a callback with it filled in; the agency's own
number gives the contacts; a service need goes to customer service; any other bare
number or fragment gets one short clarification (never a loop of fallbacks)."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import answers
from actions.answers import button
from actions.callback import offer_reply, parse_contact, texts
from actions.replies import Reply, send, understood
from assistant.kb import load_kb
from assistant.phrasebook import say
from leads import contact


class ActionHandleInform(Action):
    def name(self) -> str:
        return "action_handle_inform"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> list[dict[str, Any]]:
        kb = load_kb()
        message = tracker.latest_message or {}
        text = str(message.get("text") or "").strip()
        found = parse_contact(text)
        ours = {contact.normalize_phone(kb.contacts["phone"]), kb.contacts["wechat"]}
        if found and found in ours:  # the visitor repeats our number: they want to reach us
            return send(dispatcher, tracker, [Reply(say("handoff")), offer_reply()]) + understood()
        if found:
            t = texts()
            reply = Reply(
                say("contact_typed", contact=found),
                [button(t["contact_button"], "affirm"), button(t["decline_button"], "deny")],
            )
            return send(dispatcher, tracker, [reply]) + [SlotSet("lead_contact", found)] + understood()
        services = [e.get("value") for e in message.get("entities") or [] if e.get("entity") == "service"]
        if services:
            return (
                send(dispatcher, tracker, [Reply(say("service_need", service=services[0])), offer_reply()])
                + understood()
            )
        shown = text if len(text) <= 20 else text[:20] + "…"
        return send(dispatcher, tracker, [Reply(say("bare_number", text=shown), answers.topic_buttons(kb))])
