"""The bounded part of a conversation that a turn works with.

Why: Rasa's policies rebuild their states from every event of the tracker, and the tracker
is loaded, sent to the action server and saved whole, so a turn's cost grows with the
conversation (113 ms at turn 220 against 12 ms at turn 5). A turn needs far less: the rules
look back one or two turns, memoization three, the callback form and the follow-ups keep
what they need in slots. So the tracker store hands Rasa a window: the state of the
conversation when the window begins (its slots and active form, as events), then at most
TRIM_AT_EVENTS recent events. The full history stays in the events table (the staff console
and `GET /conversations/<id>/tracker` read it all).

When a saved conversation grows past TRIM_AT_EVENTS, the window moves on to the start of a
turn about KEEP_EVENTS from the end; where it starts and the state there are stored in the
`conversation_windows` table, so any replica loads only the window.
"""

from __future__ import annotations

from typing import Iterable, List, Optional

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    ConversationPaused,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

KEEP_EVENTS = 40  # about five turns: more than any rule, memoization (3 turns) or form needs
TRIM_AT_EVENTS = 80  # a window never holds more than this (plus its starting state)


def latest_session(events: List[dict]) -> Optional[int]:
    """Index of the last `session_started` among stored events, if any."""
    for i in range(len(events) - 1, -1, -1):
        if events[i].get("event") == SessionStarted.type_name:
            return i
    return None


def needs_trim(tracker: DialogueStateTracker) -> bool:
    return len(tracker.events) > TRIM_AT_EVENTS


def cut_index(events: List[Event], not_before: int) -> Optional[int]:
    """Where the window may start: an `action_listen` followed by the visitor's message, at
    about KEEP_EVENTS from the end and after the first `not_before` events."""
    for i in range(max(len(events) - KEEP_EVENTS, not_before), len(events) - 1):
        event = events[i]
        if (
            isinstance(event, ActionExecuted)
            and event.action_name == ACTION_LISTEN_NAME
            and isinstance(events[i + 1], UserUttered)
        ):
            return i
    return None


def state_before(sender_id: str, events: List[Event], cut: int, slots: Iterable[Slot]) -> List[Event]:
    """The conversation's state just before `events[cut]`, as the events that set it:
    every slot that is not at its initial value, the active form, and a pause (a person took over)."""
    state = DialogueStateTracker.from_events(sender_id, events[:cut], slots=slots)
    timestamp = events[cut].timestamp
    prefix: List[Event] = [
        SlotSet(name, slot.value, timestamp=timestamp)
        for name, slot in state.slots.items()
        if slot.value != slot.initial_value
    ]
    if state.active_loop_name:
        prefix.append(ActiveLoop(state.active_loop_name, timestamp=timestamp))
    if state.is_paused():
        prefix.append(ConversationPaused(timestamp=timestamp))
    return prefix
