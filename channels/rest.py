"""Rasa's REST channel, with the checks a public endpoint needs.

- A body that is not a JSON object gets 400 instead of 500 (RestInput reads
  `request.json.get(...)`, so an empty body or a JSON list raised AttributeError).
- The sender is required, a string of at most MAX_SENDER_CHARS, and outside the other
  channels' namespaces (`wechat:…`, `web:…`): a REST client can never join a WeChat
  follower's or a widget visitor's conversation, and two REST visitors without a sender
  never share one `default` conversation.
- The message text must be a non-empty string: an empty one gets 400 with one log line, not a
  traceback and a silent `200 []`. A sender holding invisible characters (zero-width, bidi marks)
  is refused: it is stored with a lead and shown to staff.
- The message's metadata carries the visitor's address (`client_address`, through the project's
  own nginx on the stack: assistant.client_address), overwriting any the client sent; the
  callback form's flood limits count it.
- Each message is a turn of channels/turn.py (cleaning, limits, context, two questions).
Same path (/webhooks/rest/webhook) and replies otherwise.
"""

from __future__ import annotations

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage  # HTTP 400 in sanic 21

from assistant import client_address
from assistant.text import clean_input
from channels.namespaces import MAX_SENDER_CHARS, reserved
from channels.turn import Turns
from leads.contact import visible_text


class RestInput(RasaRestInput):
    async def _extract_sender(self, req):
        if not isinstance(req.json, dict):
            raise InvalidUsage("the body must be a JSON object with `sender` and `message`")
        sender = req.json.get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise InvalidUsage("`sender` is required: a string that identifies the visitor's conversation")
        if len(sender) > MAX_SENDER_CHARS:
            raise InvalidUsage(f"`sender` is longer than {MAX_SENDER_CHARS} characters")
        if reserved(sender) or clean_input(sender) != sender or visible_text(sender) != sender:
            raise InvalidUsage("`sender` uses a reserved prefix or characters")
        return sender

    def _extract_message(self, req):
        text = super()._extract_message(req)
        if not isinstance(text, str) or not clean_input(text).strip():
            raise InvalidUsage("`message` is required: the visitor's text, not empty")
        return text

    def blueprint(self, on_new_message) -> Blueprint:
        # Rasa's on_new_message is replaced by this channel's turns (channels/turn.py).
        self.turns = Turns()
        blueprint = super().blueprint(self.turns)
        self.turns.attach(blueprint)
        return blueprint

    def get_metadata(self, request):
        """The client's metadata (an object, else none) with the client's address stamped on it."""
        sent = request.json.get("metadata") if isinstance(request.json, dict) else None
        metadata = dict(sent) if isinstance(sent, dict) else {}
        metadata[client_address.CLIENT_ADDRESS] = client_address.of_request(request)
        return metadata
