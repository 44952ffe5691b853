"""The WeChat front: the process that answers 微信公众平台's requests at /webhooks/wechat/webhook.

Run as `python -m channels.wechat` next to the Rasa server (`make run` and the stack start it).
Its event loop does only WeChat's protocol, so its acknowledgement or passive reply leaves
within `reply_budget_seconds` of the request's arrival however busy the assistant is; each
turn goes to the Rasa server's channel (channels/wechat/channel.py) through channels/wechat/relay.py,
and a late answer follows through the customer-service API where it is configured."""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from dataclasses import dataclass
from typing import Awaitable, Callable, Coroutine, List, Optional

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from assistant.phrasebook import load_phrasebook, say
from assistant.text import in_script, script_of
from channels.wechat.customer_service import CustomerServiceApi
from channels.wechat.inbound import ASK, REPLY, Inbound, read_inbound
from channels.wechat.memory import TtlCache
from channels.wechat.relay import TurnFailed
from channels.wechat.render import (
    Answer,
    answer_from,
    full_text,
    paginate,
    text_reply_xml,
    transfer_reply_xml,
    without_more_notice,
)
from channels.wechat.replay import NonceMemory, ReplayGuard
from channels.wechat.security import Rejected, RequestGuard, query_args
from channels.wechat.settings import WeChatSettings
from leads import office_hours

logger = logging.getLogger(__name__)

SORRY = say("wechat_sorry")
STILL_WORKING = say("wechat_still_working")
# Overflow pages go out after the passive reply so that the visitor reads them in order.
OVERFLOW_DELAY_SECONDS = 1.0
ABORT = object()  # close the connection unanswered so that WeChat retries
# The reply itself (sealing, writing) must fit in reply_budget_seconds too: measured about
# 20 ms at 400 REST visitors, so the wait for the answer ends this much earlier.
REPLY_MARGIN_SECONDS = 0.25

# One turn: (openid, text) -> the bot messages Rasa collected (channels/wechat/relay.py).
Ask = Callable[[str, str], Awaitable[List[dict]]]


@dataclass
class _Turn:
    task: asyncio.Task[Answer]
    attempts: int = 0
    reply_xml: Optional[str] = None  # the passive reply, repeated to retries
    via_api: bool = False  # the answer goes (or went) through the customer-service API


class WeChatFront:
    """WeChat's protocol: authenticity, replays, retries, the 5-second rule, pages, handoff."""

    def __init__(self, settings: Optional[WeChatSettings], ask: Ask, nonces=None):
        self.settings = settings
        self.ask = ask
        self.guard = RequestGuard(settings) if settings else None
        self.replay = (
            ReplayGuard(settings.token, settings.max_clock_skew_seconds, nonces or NonceMemory()) if settings else None
        )
        self.api = CustomerServiceApi(settings) if settings and settings.customer_service_api else None
        self.turns = TtlCache(max_entries=10_000, ttl_seconds=600)  # dedup of retries
        self.last_buttons = TtlCache(max_entries=10_000, ttl_seconds=24 * 3600)
        self.more_pages = TtlCache(max_entries=10_000, ttl_seconds=3600)  # text kept for "更多"
        self._background: set = set()

    def blueprint(self) -> Blueprint:
        webhook = Blueprint("wechat_front", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "off"})

        @webhook.route("/webhook", methods=["GET"])
        async def url_check(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.text("WeChat channel is off", status=503)
            try:
                return response.text(self.guard.url_check(query_args(request.args)))
            except Rejected as rejected:
                logger.info("WeChat URL check refused (%s): %s", rejected.status, rejected.reason)
                return response.text(rejected.reason, status=rejected.status)

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.text("WeChat channel is off", status=503)
            budget = self.settings.reply_budget_seconds
            deadline = asyncio.get_running_loop().time() + budget - min(REPLY_MARGIN_SECONDS, budget / 10)
            try:
                args, body = query_args(request.args), request.body or b""
                opened = self.guard.open(args, body)
                if not opened.encrypted:  # msg_signature binds an encrypted body; `signature` does not
                    await self.replay.check(args, body)
                inbound = read_inbound(opened.xml, self.settings)
            except Rejected as rejected:
                logger.info("WeChat message refused (%s): %s", rejected.status, rejected.reason)
                return response.text(rejected.reason, status=rejected.status)
            reply = await self._reply(inbound, deadline)
            if reply is ABORT:
                request.transport.abort()
                return response.empty()
            if reply is None:
                return response.text("success")
            return response.text(self.guard.seal(reply, opened), content_type="application/xml")

        return webhook

    async def _reply(self, inbound: Inbound, deadline: float):
        """The passive reply XML, None for `success`, or ABORT."""
        if inbound.action == REPLY:
            return text_reply_xml(inbound.account, inbound.openid, inbound.text)
        if inbound.action != ASK:
            return None
        turn = self.turns.get(inbound.dedup_key)
        if turn is None:
            turn = _Turn(asyncio.ensure_future(self._ask(inbound)))
            self.turns.set(inbound.dedup_key, turn)
        turn.attempts += 1
        if turn.via_api:
            return None
        if turn.reply_xml is None:
            try:
                remaining = max(0.0, deadline - asyncio.get_running_loop().time())
                answer = await asyncio.wait_for(asyncio.shield(turn.task), remaining)
            except asyncio.TimeoutError:
                return self._when_late(turn, inbound)
            if turn.reply_xml is None and not turn.via_api:
                turn.reply_xml = self._passive(inbound, answer)
        return turn.reply_xml

    def _when_late(self, turn: _Turn, inbound: Inbound):
        if self._api_usable():
            turn.via_api = True
            self._spawn(self._deliver_later(turn, inbound))
            return None
        if turn.attempts < self.settings.wechat_attempts:
            return ABORT
        # WeChat's last attempt: the answer waits for "更多" instead of being lost.
        turn.reply_xml = text_reply_xml(inbound.account, inbound.openid, STILL_WORKING)
        self._spawn(self._park_later(turn, inbound))
        return turn.reply_xml

    async def _ask(self, inbound: Inbound) -> Answer:
        if inbound.text.lower() in load_phrasebook().more_words:
            kept = self.more_pages.pop(inbound.openid)
            if kept:
                return Answer(text=kept)
        text = self._button_payload(inbound) or inbound.text
        try:
            messages = await self.ask(inbound.openid, text)
        except TurnFailed as failed:  # the visitor still gets a polite answer
            logger.error("The assistant did not answer a WeChat message: %s", failed)
            return Answer(text=SORRY)
        except Exception:
            logger.exception("The assistant failed on a WeChat message")
            return Answer(text=SORRY)
        answer = answer_from(messages)
        if answer.handoff:
            answer = await self._transfer_or_contacts(answer, inbound)
        self.last_buttons.set(inbound.openid, answer.buttons)
        return answer

    async def _transfer_or_contacts(self, answer: Answer, inbound: Inbound) -> Answer:
        """A transfer only when an agent can take over; otherwise the contacts and the callback
        offer stay the answer. Either way the follower reads the contacts first."""
        can = (
            self.settings.transfer_to_customer_service
            and not inbound.is_event
            and self._api_usable()
            and office_hours.is_open()
            and await self.api.agents_online()
        )
        if not can:
            answer.handoff = False
            return answer
        notice = say("transferring")
        notice = in_script(notice, script_of(inbound.text))
        answer.text = "\n\n".join(p for p in (answer.text, notice) if p)
        answer.buttons = []
        return answer

    def _button_payload(self, inbound: Inbound) -> Optional[str]:
        """Tapping a bizmsgmenu link, typing its number or its title triggers the button."""
        buttons = self.last_buttons.get(inbound.openid) or []
        choice = unicodedata.normalize("NFKC", inbound.text).strip().rstrip(".。")
        for key in (inbound.menu_id, choice):
            if key and key.isdigit() and 1 <= int(key) <= len(buttons):
                return buttons[int(key) - 1][1]
        return next((payload for title, payload in buttons if title == choice), None)

    def _api_usable(self) -> bool:
        return self.api is not None and self.api.enabled

    def _passive(self, inbound: Inbound, answer: Answer) -> Optional[str]:
        settings = self.settings
        text = full_text(answer, settings.button_style)
        if answer.handoff:  # decided in _transfer_or_contacts: the API is usable and an agent is online
            self._spawn(self._send_all(inbound.openid, text))
            return transfer_reply_xml(inbound.account, inbound.openid, answer.kf_account or settings.kf_account)
        if not text:
            return None
        max_pages = settings.max_messages_per_turn if self._api_usable() else 1
        now, later = paginate(text, settings.max_reply_bytes, max_pages)
        if len(now) > 1:
            self._spawn(self._send_pages(inbound.openid, now[1:], later, OVERFLOW_DELAY_SECONDS))
        elif later:
            self._keep_for_more(inbound.openid, later)
        return text_reply_xml(inbound.account, inbound.openid, now[0])

    async def _send_all(self, openid: str, text: str) -> None:
        now, later = paginate(text, self.settings.max_reply_bytes, self.settings.max_messages_per_turn)
        await self._send_pages(openid, now, later, 0.0)

    async def _send_pages(self, openid: str, pages: List[str], later: List[str], delay: float) -> None:
        """Customer-service messages; whatever WeChat refuses waits for "更多"."""
        await asyncio.sleep(delay)
        sent = await self.api.send_texts(openid, pages)
        self._keep_for_more(openid, pages[sent:] + later)

    def _keep_for_more(self, openid: str, pages: List[str]) -> None:
        if pages:
            self.more_pages.set(openid, "\n".join(without_more_notice(p) for p in pages))

    async def _deliver_later(self, turn: _Turn, inbound: Inbound) -> None:
        text = full_text(await turn.task, self.settings.button_style)
        if text:
            await self._send_all(inbound.openid, text)

    async def _park_later(self, turn: _Turn, inbound: Inbound) -> None:
        text = full_text(await turn.task, self.settings.button_style)
        if text:
            self.more_pages.set(inbound.openid, text)

    def _spawn(self, coroutine: Coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._background.add(task)  # keep a reference until done
        task.add_done_callback(self._background.discard)
        task.add_done_callback(_log_failure)


def _log_failure(task: asyncio.Task) -> None:
    if not task.cancelled() and task.exception() is not None:
        logger.error("WeChat background delivery failed", exc_info=task.exception())
