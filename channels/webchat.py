"""Rasa's socket.io channel for the website widget (web/src/), with these fixes.

- The session belongs to the connection: the server issues it at `session_request` (or resumes
  one the widget shows with its token, channels/widget_session.py); a message naming another
  session is refused; the per-visitor rate also applies per connection and per address; the
  metadata kept is an allow-list of small fields (METADATA_FIELDS).
- Rasa 3.6's SocketIOOutput.send_custom_json passes the payload's keys as keyword arguments
  to AsyncServer.emit, so the hand-off payload {"type": "handoff", ...} raises TypeError: the
  rest of the turn is lost and the tracker is not saved. Here such payloads are emitted as
  {"custom": payload}, which the widget ignores (it has no human to transfer to; the text
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
- The session's token (in `session_confirm`) is also what the web app asks for with every rating
  (channels/rating_token.py).
- Each message's metadata carries the visitor's address (`client_address`, the socket's peer or,
  through the project's own nginx, its X-Real-IP: assistant.client_address), overwriting any the
  client sent; the callback form's flood limits count it.
- Rasa turns engine.io's Origin check off (cors_allowed_origins=[]) and leaves CORS to Sanic,
  which browsers apply to polling only: a page on any site could open a WebSocket and chat.
  The socket.io connect is refused here when the Origin header is not one of CORS_ORIGINS
  (the same list `make run` and the stack give `rasa run --cors`; unset or `*`: any origin).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, Optional

import socketio
from engineio.payload import Payload
from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from assistant import client_address, settings
from assistant.phrasebook import say
from assistant.text import clean_input
from channels import takeover, widget_session
from channels.limits import MAX_BODY_BYTES
from channels.namespaces import WIDGET, widget_room
from channels.turn import Turns
from takeover import bus as takeover_bus

logger = logging.getLogger(__name__)
Payload.max_decode_packets = 256
LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s")
# Markdown links and autolinks: only these schemes are rendered as links in the widget.
LINK_START = re.compile(r"\[([^\]\n]*)\]\(")
AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.\-]*:[^>\s]*)>")
SAFE_SCHEMES = ("http:", "https:", "tel:", "weixin:")
# What a message's metadata may carry (field: most characters); all else is dropped.
# `page`: the address of the page the widget is on, without query or fragment (the agent who
# takes over sees it); only http(s).
METADATA_FIELDS = {"button": 64, "page": 300}
PAGE = re.compile(r"https?://[^\s?#]+")
ADDRESS_VISITORS = 10


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
    origins = set(settings.CORS_ORIGINS.value(environ).split())
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
    """One bot_uttered per message: its text as CommonMark, its buttons as quick replies, and
    `answer: true` on answers from the page (the widget offers 有用/没用 under those only)."""

    async def _emit(self, recipient_id: str, text: str, buttons: list, answer: bool, takeover: str = "") -> None:
        # The id lets two tabs of one visitor (both in the session's room) show it once.
        message: Dict[str, Any] = {"id": uuid.uuid4().hex[:16], "text": safe_links(widget_markdown(text))}
        if takeover:  # joined / ended / missed: the widget knows whether a person is answering
            message["takeover"] = takeover
        if buttons:
            message["quick_replies"] = [
                {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", "")} for b in buttons
            ]
        if answer:
            message["answer"] = True
        await self.sio.emit(self.bot_message_evt, message, room=widget_room(recipient_id))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._emit(recipient_id, text, [], bool(kwargs.get("answer")))

    async def send_text_with_buttons(self, recipient_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        await self._emit(recipient_id, text, buttons, bool(kwargs.get("answer")), kwargs.get("takeover") or "")

    async def send_quick_replies(self, recipient_id: str, text: str, quick_replies: list, **kwargs: Any) -> None:
        await self._emit(recipient_id, text, quick_replies, bool(kwargs.get("answer")))

    async def send_custom_json(self, recipient_id: str, json_message: Dict[str, Any], **kwargs: Any) -> None:
        await self.sio.emit(self.bot_message_evt, {"custom": json_message}, room=widget_room(recipient_id))

    async def send_agent_message(self, recipient_id: str, text: str, agent: str) -> None:
        """A staff member's message (channels/takeover.py): plain text, shown with their name."""
        message = {"id": uuid.uuid4().hex[:16], "text": safe_links(widget_markdown(text)), "agent": agent}
        await self.sio.emit(self.bot_message_evt, message, room=widget_room(recipient_id))


def allowed_metadata(metadata: Any) -> Dict[str, str]:
    """Only the small fields the widget sends: the title of a tapped button (the staff transcript
    shows it instead of the payload) and the page it is on. Anything else is left out."""
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata)
        except ValueError:
            return {}
    if not isinstance(metadata, dict):
        return {}
    kept = {}
    for key, limit in METADATA_FIELDS.items():
        value = metadata.get(key)
        if isinstance(value, str) and 0 < len(value) <= limit and (key != "page" or PAGE.fullmatch(value)):
            kept[key] = clean_input(value)
    return kept


class ConnectionRate:
    """The per-visitor allowance applied to each socket connection too, and a larger one
    (ADDRESS_VISITORS visitors' worth) to each address: a script opening many connections
    from one address gets no more than a busy office would."""

    def __init__(self, environ=os.environ):
        from channels.visitor_rate import VisitorRate

        visitor = VisitorRate.from_settings(environ)
        self.connection = visitor
        self.address = VisitorRate(visitor.per_second * ADDRESS_VISITORS, visitor.burst * ADDRESS_VISITORS)

    def wait_for(self, sid: str, address: str) -> Optional[float]:
        """Seconds to wait before this connection's message, or None: refused."""
        if not self.connection.enabled:
            return 0.0
        longest = 0.0
        for bucket, key in ((self.connection, sid), (self.address, address)):
            wait = bucket.wait_for(key)
            if wait is None:
                return None
            longest = max(longest, wait)
        return longest


class WebchatInput(SocketIOInput):
    """Rasa's `socketio` channel (credentials.yml) with the fixed output, and sessions that
    belong to the connection (channels/widget_session.py): a message's own session_id is
    never believed."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        if self.sio is None:
            return super().get_output_channel()
        return WebchatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa's on_new_message is replaced by this channel's turns (channels/turn.py), in the
        # widget's own namespace of conversations (channels/namespaces.py).
        self.turns = Turns(namespace=WIDGET)

        async def with_webchat_output(message: UserMessage) -> None:
            message.output_channel = WebchatOutput(self.sio, self.bot_message_evt)
            await self.turns(message)

        blueprint = super().blueprint(with_webchat_output)
        self.turns.attach(blueprint)
        sio = self.sio
        redis_url = settings.TAKEOVER_REDIS_URL.value()
        if redis_url:
            # Any replica may apply a console's command: the Redis manager hands the message to the
            # replica that holds the visitor's socket.
            sio.manager = socketio.AsyncRedisManager(redis_url, channel=takeover_bus.socket_channel())
            sio.manager.set_server(sio)
        takeover.reach(WIDGET, lambda _conversation: WebchatOutput(sio, self.bot_message_evt))
        self.takeovers = takeover.Takeovers(lambda: self.turns._agent_of() if self.turns._agent_of else None)
        self.takeovers.attach(blueprint, redis_url)
        sio.eio.max_http_buffer_size = MAX_BODY_BYTES
        namespace = self.namespace or "/"
        rasa_handler = sio.handlers[namespace][self.user_message_evt]
        rasa_connect = sio.handlers[namespace]["connect"]
        allowed = allowed_origins()
        rate = ConnectionRate()
        # Per connection (sid): its session id and the visitor's address; gone at disconnect.
        sessions: Dict[str, str] = {}
        addresses: Dict[str, str] = {}

        async def checked_connect(sid: str, environ: Dict, auth: Optional[Dict] = None) -> bool:
            origin = environ.get("HTTP_ORIGIN")
            if not origin_allowed(origin, allowed):
                logger.warning("socketio: refused a connection from origin %r (not in CORS_ORIGINS)", origin[:200])
                return False
            accepted = await rasa_connect(sid, environ, auth)
            if accepted is not False:
                addresses[sid] = client_address.of_socket_environ(environ)
            return accepted

        async def disconnect(sid: str) -> None:
            sessions.pop(sid, None)
            addresses.pop(sid, None)

        async def session_request(sid: str, data: Any = None) -> None:
            session_id, token, resumed = widget_session.resume_or_issue(data)
            previous = sessions.get(sid)
            if previous and previous != session_id:
                sio.leave_room(sid, previous, namespace=namespace)
            sessions[sid] = session_id
            sio.enter_room(sid, session_id, namespace=namespace)
            confirm = {"session_id": session_id, "token": token, "resumed": resumed}
            await sio.emit("session_confirm", confirm, room=sid, namespace=namespace)

        async def checked_message(sid: str, data: Any = None) -> None:
            text = data.get("message") if isinstance(data, dict) else None
            # Cleaned first: a message of control characters only (ESC, NUL) is as empty as spaces.
            # A lone surrogate ("\\ud800" in the JSON) is valid JSON but not text either: OpenCC
            # and every store that encodes UTF-8 fail on it.
            text = clean_input(text) if isinstance(text, str) else None
            if not text or not text.strip():
                logger.warning("socketio: dropped a %s that is not {'message': text}", self.user_message_evt)
                return
            session = sessions.get(sid)
            if session is None:
                logger.warning("socketio: dropped a %s sent before session_request", self.user_message_evt)
                return
            offered = data.get("session_id")
            if offered is not None and offered != session:
                logger.warning(
                    "socketio: refused a %s for a session this connection was not given", self.user_message_evt
                )
                return
            wait = rate.wait_for(sid, addresses.get(sid, ""))
            if wait is None:
                logger.info("socketio: message from %s refused: connection or address sending too fast", sid)
                await sio.emit(
                    self.bot_message_evt, {"text": widget_markdown(say("too_fast"))}, room=sid, namespace=namespace
                )
                return
            if wait:
                await asyncio.sleep(wait)
            # The visitor's address, as the project's nginx saw it, never the client's own (lead limits).
            address = addresses.get(sid, "-")
            stamped = {client_address.CLIENT_ADDRESS: address} if address != "-" else {}
            await rasa_handler(
                sid,
                {
                    "message": text,
                    "session_id": session,
                    self.metadata_key: {**allowed_metadata(data.get(self.metadata_key)), **stamped},
                },
            )

        sio.on("connect", handler=checked_connect, namespace=self.namespace)
        sio.on("disconnect", handler=disconnect, namespace=self.namespace)
        sio.on("session_request", handler=session_request, namespace=self.namespace)
        sio.on(self.user_message_evt, handler=checked_message, namespace=self.namespace)
        return blueprint
