"""Sending replies in the visitor's script, and the slot bookkeeping every answer shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.phrasebook import say
from assistant.text import chinese_punctuation, in_script, script_of

Button = dict


@dataclass
class Reply:
    text: str
    buttons: list[Button] = field(default_factory=list)
    custom: dict | None = None
    # An answer from the page (not a prompt, greeting or apology): the widget offers 有用/没用.
    answer: bool = False


def visitor_script(tracker: Tracker) -> str:
    """The script of the latest message; button payloads and neutral text keep the last one."""
    message = tracker.latest_message or {}
    # The NLU normaliser records the script before it turns the text Simplified.
    found = message.get("script") or script_of(message.get("text") or "")
    return found or tracker.get_slot("script") or "simplified"


def typed(tracker: Tracker) -> str:
    """The visitor's latest message whole, as typed (the parse's text is only the question in it)."""
    users = [e for e in tracker.events or [] if e.get("event") == "user"]
    return str((users[-1].get("text") if users else None) or (tracker.latest_message or {}).get("text") or "")


def send(dispatcher: CollectingDispatcher, tracker: Tracker, replies: list[Reply]) -> list[dict[str, Any]]:
    """Utters the replies (converted to Traditional when the visitor writes Traditional), with
    Chinese punctuation in Chinese text: the knowledge base keeps the page's own characters."""
    script = visitor_script(tracker)
    convert = lambda text: in_script(chinese_punctuation(text), script)  # noqa: E731
    if replies and (tracker.latest_message or {}).get("english"):  # the normaliser read the visitor's text
        # The page is Chinese and so is its answer; one English line says what follows.
        first = replies[0]
        replies = [Reply(f"{say('english_intro')}\n{first.text}", first.buttons, first.custom), *replies[1:]]
    for reply in replies:
        buttons = [{**b, "title": convert(b["title"])} for b in reply.buttons]
        marks = {"answer": True} if reply.answer else {}
        dispatcher.utter_message(text=convert(reply.text), buttons=buttons or None, **marks)
        if reply.custom:
            dispatcher.utter_message(json_message=reply.custom)
    return [SlotSet("script", script)] if script != tracker.get_slot("script") else []


def understood() -> list[dict[str, Any]]:
    """Events for a turn the assistant understood: the failure streak ends."""
    return [SlotSet("failures", 0.0)]


def misunderstood(tracker: Tracker) -> tuple[int, list[dict[str, Any]]]:
    count = int(tracker.get_slot("failures") or 0) + 1
    return count, [SlotSet("failures", float(count))]
