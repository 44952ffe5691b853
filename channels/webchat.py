"""Rasa's socket.io channel for the website widget (rasa-webchat), with two fixes.

- Rasa 3.6's SocketIOOutput.send_custom_json passes the payload's keys as keyword arguments
  to AsyncServer.emit, so the hand-off payload {"type": "handoff", ...} raises TypeError: the
  rest of the turn is lost and the tracker is not saved. Here such payloads are emitted as
  {"custom": payload}, which rasa-webchat ignores (it has no human to transfer to; the text
  before it already gives the phone number and WeChat).
- The bot writes one line per paragraph or list item; the widget renders CommonMark, where a
  single newline is a space and a line after a list item joins that item. Lines become
  paragraphs here, consecutive list lines stay one list.
- Rasa's `user_uttered` handler assumes {"message": text, "session_id": ..., "metadata": {...}}:
  any other payload (a number, a list, bytes, a non-text or empty message) raised inside the
  server and the sender got silence. Such payloads are dropped here with one warning (the widget
  never sends them); metadata that is not a JSON object is left out, lone surrogates become "?".
- engine.io refuses a long-polling POST of more than 16 packets as a whole (HTTP 400), and the
  client batches whatever was emitted while the previous POST was in flight: a visitor sending
  many messages quickly lost all of them. The cap is raised to 256; the request body stays
  capped (max_http_buffer_size = channels.limits.MAX_BODY_BYTES, on polling and WebSocket).
- Markdown links with a scheme other than http, https, tel and weixin are sent as plain text.
- After confirming a session, the channel sends the widget its conversation's rating token
  (`rating_token` event: {session_id, token}; channels/rating_token.py), which the web app asks
  for with every rating.
- Each message's metadata carries the visitor's address (`client_address`, the socket's peer or,
  through the project's own nginx, its X-Real-IP: assistant.client_address), overwriting any the
  client sent; the callback form's flood limits count it.
- Rasa turns engine.io's Origin check off (cors_allowed_origins=[]) and leaves CORS to Sanic,
  which browsers apply to polling only: a page on any site could open a WebSocket and chat.
  The socket.io connect is refused here when the Origin header is not one of CORS_ORIGINS
  (the same list `make run` and the stack give `rasa run --cors`; unset or `*`: any origin).
"""

from __future__ import annotations

import json
import logging
import os
import re
from typing import Any, Awaitable, Callable, Dict, Optional

from engineio.payload import Payload
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from assistant import client_address
from assistant.text import clean_input
from channels import rating_token
from channels.limits import MAX_BODY_BYTES
from channels.namespaces import MAX_SENDER_CHARS, widget_conversation, widget_room

logger = logging.getLogger(__name__)
Payload.max_decode_packets = 256
LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")
# Markdown links and autolinks: only these schemes are rendered as links in the widget.
LINK_START = re.compile(r"\[([^\]\n]*)\]\(")
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^>\s]*)>")
SAFE_SCHEMES = ("http:", "https:", "tel:", "weixin:")


def _safe_url(url: str) -> bool:
    # Browsers ignore tabs, newlines and case in a scheme ("JaVa\tscript:").
    plain = re.sub(r"[\s\x00-\x1f<>]", "", url).lower()
    return plain.startswith(SAFE_SCHEMES) or not re.match(r"[a-z][a-z0-9+.\-]*:", plain)


def _destination_end(text: str, start: int) -> int:
    """Index of the ')' closing a link destination that starts at `start` (balanced parens)."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] == "(":
            depth += 1
        elif text[index] == ")":
            if depth == 0:
                return index
            depth -= 1
    return -1


def safe_links(text: str) -> str:
    """Links whose scheme is not http, https, tel or weixin become their plain text, so text a
    visitor typed and the bot repeats (「{text}」) can never be a javascript: or data: link."""
    out, position = [], 0
    for match in LINK_START.finditer(text):
        if match.start() < position:
            continue
        end = _destination_end(text, match.end())
        if end < 0:
            continue
        if not _safe_url(text[match.end() : end]):
            out += [text[position : match.start()], match.group(1)]
            position = end + 1
    out.append(text[position:])
    return AUTOLINK.sub(lambda m: m.group(0) if _safe_url(m.group(1)) else m.group(1).split(":", 1)[-1], "".join(out))


def allowed_origins(environ=os.environ) -> Optional[set]:
    """The page origins allowed to open the widget's socket, or None for any."""
    origins = set(environ.get("CORS_ORIGINS", "").split())
    return None if not origins or "*" in origins else {o.rstrip("/") for o in origins}


def origin_allowed(origin: Optional[str], allowed: Optional[set]) -> bool:
    # Browsers always send Origin on a WebSocket upgrade; other clients (curl, tests) may not.
    return allowed is None or not origin or origin.rstrip("/") in allowed


def widget_markdown(text: str) -> str:
    """The bot's line-based text as CommonMark that renders the same lines."""
    lines = [line.rstrip() for line in text.strip().split("\n") if line.strip()]
    joined = lines[:1]
    for previous, line in zip(lines, lines[1:]):
        same_list = LIST_ITEM.match(previous) and LIST_ITEM.match(line)
        joined.append(("\n" if same_list else "\n\n") + line)
    return "".join(joined)


class WebchatOutput(SocketIOOutput):
    async def _send_message(self, socket_id: str, response: Any) -> None:
        # Rasa has already split the text into bubbles at blank lines.
        if isinstance(response.get("text"), str):
            response = {**response, "text": safe_links(widget_markdown(response["text"]))}
        await super()._send_message(widget_room(socket_id), response)

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, {"custom": json_message}, room=widget_room(recipient_id))


class WebchatInput(SocketIOInput):
    """Same settings as Rasa's `socketio` channel (credentials.yml), fixed output."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WebchatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        async def with_webchat_output(message: UserMessage) -> None:
            message.output_channel = WebchatOutput(self.sio, self.bot_message_evt)
            # The widget's conversations live in their own namespace (channels/namespaces.py).
            message.sender_id = widget_conversation(str(message.sender_id))
            await on_new_message(message)

        blueprint = super().blueprint(with_webchat_output)
        self.sio.eio.max_http_buffer_size = MAX_BODY_BYTES
        namespace = self.namespace or "/"
        rasa_handler = self.sio.handlers[namespace][self.user_message_evt]
        rasa_connect = self.sio.handlers[namespace]["connect"]
        allowed = allowed_origins()

        async def checked_connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not origin_allowed(origin, allowed):
                logger.warning("socketio: refused a connection from origin %r (not in CORS_ORIGINS)", origin[:200])
                return False
            return await rasa_connect(sid, environ, auth)

        self.sio.on("connect", handler=checked_connect, namespace=self.namespace)

        rasa_session_request = self.sio.handlers[namespace]["session_request"]
        secret = rating_token.secret_from_env()

        async def session_with_rating_token(sid: str, data: Any = None) -> None:
            data = data if isinstance(data, dict) else {}
            await rasa_session_request(sid, data)  # confirms data["session_id"], made when missing
            session = data.get("session_id")
            if secret and isinstance(session, str):
                token = rating_token.issue(widget_conversation(session), secret)
                await self.sio.emit("rating_token", {"session_id": session, "token": token}, room=sid)

        self.sio.on("session_request", handler=session_with_rating_token, namespace=self.namespace)

        async def checked_message(sid: str, data: Any = None) -> None:
            text = data.get("message") if isinstance(data, dict) else None
            # Cleaned first: a message of control characters only (ESC, NUL) is as empty as spaces.
            # A lone surrogate ("\\ud800" in the JSON) is valid JSON but not text either: OpenCC
            # and every store that encodes UTF-8 fail on it.
            text = clean_input(text) if isinstance(text, str) else None
            if not text or not text.strip():
                logger.warning("socketio: dropped a %s that is not {'message': text}", self.user_message_evt)
                return
            session = data.get("session_id")
            if session is not None and (not isinstance(session, str) or len(session) > MAX_SENDER_CHARS):
                logger.warning("socketio: dropped a %s with an unusable session_id", self.user_message_evt)
                return
            metadata = data.get(self.metadata_key)
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = None
            metadata = dict(metadata) if isinstance(metadata, dict) else {}
            address = client_address.of_socket_environ(self.sio.get_environ(sid, namespace) or {})
            metadata.pop(client_address.CLIENT_ADDRESS, None)  # never the client's own
            if address != "-":
                metadata[client_address.CLIENT_ADDRESS] = address
            await rasa_handler(sid, {**data, "message": text, self.metadata_key: metadata})

        self.sio.on(self.user_message_evt, handler=checked_message, namespace=self.namespace)
        return blueprint
