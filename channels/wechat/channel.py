"""Rasa input channel for a WeChat Official Account (微信公众号): the Rasa server's side.

WeChat's requests are answered by the WeChat front, a process of its own
(channels/wechat/front.py), so that the 5-second rule holds while this server is busy. The
front sends each turn here (POST /webhooks/wechat/turn, channels/wechat/relay.py); this
channel hands it to its turns (channels/turn.py), like every channel, and returns the
collected bot messages."""

from __future__ import annotations

import logging
import os
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.text import clean_input
from channels import takeover
from channels.namespaces import MAX_SENDER_CHARS, WECHAT, wechat_conversation
from channels.turn import Turns
from channels.wechat.customer_service import CustomerServiceApi
from channels.wechat.relay import KEY_HEADER, authorised
from channels.wechat.render import answer_from, full_text
from channels.wechat.settings import WeChatSettings, load_settings

logger = logging.getLogger(__name__)


class WeChatOutput(CollectingOutputChannel):
    """Collects a turn's bot messages; named so that responses may target `channel: wechat`."""

    @classmethod
    def name(cls) -> str:
        return "wechat"


class FollowerOutput:
    """What a person who took over sends a follower (channels/takeover.py): customer-service
    messages (客服消息), which WeChat accepts within 48 hours of the follower's last message."""

    def __init__(self, api, button_style: str):
        self.api = api
        self.button_style = button_style

    @staticmethod
    def _openid(conversation_id: str) -> str:
        return conversation_id[len(WECHAT) :]

    async def send_agent_message(self, conversation_id: str, text: str, agent: str) -> None:
        await self.api.send_texts(self._openid(conversation_id), [text])

    async def send_text_with_buttons(self, conversation_id: str, text: str, buttons: list, **kwargs: Any) -> None:
        answer = answer_from([{"text": text, "buttons": buttons}])
        await self.api.send_texts(self._openid(conversation_id), [full_text(answer, self.button_style)])


class WeChatInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> WeChatInput:
        settings = load_settings(credentials, os.environ)
        if settings is None:
            logger.info("WeChat channel is off: WECHAT_TOKEN is not set (see docs/wechat.md).")
        else:
            logger.info("WeChat channel is on: turns arrive from the WeChat front (python -m channels.wechat).")
        return cls(settings)

    def __init__(self, settings: Optional[WeChatSettings]):
        self.settings = settings

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("wechat_webhook", __name__)
        # Rasa's on_new_message is replaced by this channel's turns (channels/turn.py).
        self.turns = on_new_message = Turns(namespace=WECHAT)
        self.turns.attach(webhook)
        if self.settings is not None and self.settings.customer_service_api:
            # An agent in the console can answer followers (takeover/, channels/takeover.py).
            follower = FollowerOutput(CustomerServiceApi(self.settings), self.settings.button_style)
            takeover.reach(WECHAT, lambda _conversation: follower)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "off"})

        @webhook.route("/webhook", methods=["GET", "POST"])
        async def moved(_: Request) -> HTTPResponse:
            # WeChat's URL points at the front; a proxy still pointing here learns where to go.
            return response.text(
                "WeChat's webhook is served by the WeChat front (python -m channels.wechat, WECHAT_PORT); "
                "see docs/wechat.md",
                status=404,
            )

        @webhook.route("/turn", methods=["POST"])
        async def turn(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"error": "WeChat channel is off"}, status=503)
            if not authorised(self.settings.token, request.headers.get(KEY_HEADER)):
                return response.json({"error": "forbidden"}, status=403)
            try:
                body = request.json
            except Exception:  # Sanic raises its own error for invalid JSON
                body = None
            openid, text = (body.get(k) if isinstance(body, dict) else None for k in ("openid", "text"))
            if not (isinstance(openid, str) and 0 < len(openid) <= MAX_SENDER_CHARS and isinstance(text, str)):
                return response.json({"error": "openid and text are required"}, status=400)
            collector = WeChatOutput()
            try:
                await on_new_message(
                    UserMessage(
                        clean_input(text),  # too long: one polite reply downstream (channels/limits.py)
                        collector,
                        wechat_conversation(openid),
                        input_channel=self.name(),
                    )
                )
            except Exception:
                logger.exception("The assistant failed on a WeChat message")
                return response.json({"error": "the assistant failed"}, status=500)
            return response.json({"messages": collector.messages}, ensure_ascii=False)

        return webhook
