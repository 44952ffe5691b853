"""A Rasa server's side of a takeover: the console's commands (takeover/bus.py) applied to the
conversation under its lock, then its visitor told.

- accept: Rasa's ConversationPaused (its MessageProcessor then logs the visitor's messages and
  predicts nothing) and "客服 {name} 已接入";
- say: the agent's message, kept as a bot utterance whose metadata names the agent (the staff
  transcript tells it from the assistant's);
- end: ConversationResumed and a line saying the assistant is back, its slots untouched;
- missed: nobody accepted in time: the contacts and the callback offer (not sent inside the
  callback form, which the visitor chose meanwhile).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Tuple

from rasa.shared.core.events import BotUttered, ConversationPaused, ConversationResumed

from assistant.phrasebook import load_phrasebook, say
from conversation_store.errors import STORE_ERRORS, primary_store
from takeover import bus

logger = logging.getLogger(__name__)
AGENT = "agent"  # the metadata key of an agent's message
ENDED = {"idle": "takeover_idle"}
# How each channel reaches its visitors from outside a turn: conversation-id prefix → a function
# of the conversation id giving an output with send_agent_message and send_text_with_buttons.
# Each channel of the Rasa server registers its own when it builds its blueprint.
REACH: Dict[str, Callable[[str], Any]] = {}


def reach(prefix: str, output_of: Callable[[str], Any]) -> None:
    REACH[prefix] = output_of


def output_of(conversation_id: str) -> Optional[Any]:
    for prefix, factory in REACH.items():
        if conversation_id.startswith(prefix):
            return factory(conversation_id)
    return None


def offer_buttons() -> List[Dict[str, str]]:
    callback = load_phrasebook().callback
    return [
        {"title": callback["offer_button"], "payload": "/request_callback"},
        {"title": callback["decline_button"], "payload": "/deny"},
    ]


def _messages(command: Dict[str, Any], tracker) -> Optional[List[Tuple[str, list, dict]]]:
    """The events the command adds to `tracker`, and the messages (text, buttons, metadata) its
    visitor then gets; None when it does not apply to the conversation as it is."""
    kind, name = command["kind"], str(command.get("agent") or "")[:64]
    if kind == "accept":
        if not tracker.is_paused():
            tracker.update(ConversationPaused())
        message = (say("takeover_joined", name=name), [], {AGENT: name, "takeover": "joined"})
    elif kind == "say":
        if not tracker.is_paused():
            return None  # the assistant has the conversation: an agent never talks over it
        message = (command["text"].strip(), [], {AGENT: name})
    elif kind == "end":
        if not tracker.is_paused():
            return None
        tracker.update(ConversationResumed())
        message = (say(ENDED.get(command.get("reason"), "takeover_ended")), [], {"takeover": "ended"})
    else:  # missed
        if tracker.is_paused() or tracker.active_loop_name:
            return []
        message = (say("takeover_missed"), offer_buttons(), {"takeover": "missed"})
    text, buttons, metadata = message
    tracker.update(BotUttered(text, data={"buttons": buttons} if buttons else {}, metadata=metadata))
    return [message]


class Takeovers:
    """Applies commands with the server's Rasa agent; `output_of(conversation_id)` is the
    channel that reaches the conversation's visitor (None: not one this server can reach)."""

    def __init__(self, agent_of: Callable[[], Any], output_of: Callable[[str], Any] = output_of):
        self.agent_of = agent_of
        self.output_of = output_of

    async def apply(self, command: Dict[str, Any]) -> bool:
        conversation = command["conversation"]
        agent = self.agent_of()
        output = self.output_of(conversation)
        if agent is None or not agent.is_ready() or output is None:
            return False
        try:
            async with agent.lock_store.lock(conversation):
                store = primary_store(agent.tracker_store)
                tracker = await store.retrieve(conversation)
                if tracker is None:
                    return False
                messages = _messages(command, tracker)
                if messages is None:
                    return False
                await store.save(tracker)
        except STORE_ERRORS as error:
            logger.error("takeover: %s of %s not applied, the stores failed: %r", command["kind"], conversation, error)
            return False
        for text, buttons, metadata in messages:
            if metadata.get(AGENT) and command["kind"] == "say":
                await output.send_agent_message(conversation, text, metadata[AGENT])
            else:
                await output.send_text_with_buttons(conversation, text, buttons, takeover=metadata.get("takeover"))
        return True

    def attach(self, blueprint, redis_url: str = "") -> None:
        """The loopback route of `make run`, or the Redis listener of the stack."""
        from sanic import response

        @blueprint.route("/takeover", methods=["POST"])
        async def takeover_command(request):
            try:
                command = bus.verified(request.body or b"", request.headers.get(bus.SIGNATURE_HEADER))
            except bus.BadCommand as bad:
                return response.json({"error": str(bad)}, status=403 if "signature" in str(bad) else 400)
            return response.json({"applied": await self.apply(command)})

        if redis_url:

            @blueprint.listener("after_server_start")
            async def listen(app, loop) -> None:
                app.add_task(bus.RedisBus(redis_url).listen(self.apply), name="takeover_commands")
