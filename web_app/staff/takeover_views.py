"""The console's 人工接待 pages: an agent goes online or away, sees who is waiting for a person,
accepts, chats with the visitor and hands back. The queue lives in takeover/queue.py; what an
agent does reaches the visitor through takeover/bus.py. Every route needs a session (the
console's `staff_only`: a GET without one goes to the login page, a POST gets 403).

A background task here (one web app, also on the stack) gives up on requests nobody accepted
within TAKEOVER_ACCEPT_SECONDS and hands back conversations whose visitor went quiet."""

from __future__ import annotations

import asyncio
import logging
import time

from sanic import response
from sqlalchemy.exc import SQLAlchemyError

from assistant.phrasebook import load_phrasebook
from conversation_store.archive import Archive
from leads import store
from takeover import bus as bus_module
from takeover import queue

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 2.0
MAX_ID = 2**31 - 1  # a request id is the database's INTEGER


def channel_label(channel: str) -> str:
    """The channel's name as staff know it (kb/dialogue.yml: channel_<name>)."""
    return load_phrasebook().texts.get(f"channel_{channel}", channel)


def _messages(archive: Archive, conversation_id: str) -> list:
    tz = store.local_tz()  # the office's clock, as on the page itself
    return [
        {
            "who": m.who,
            "agent": m.agent,
            "text": m.text,
            "time": m.at.astimezone(tz).strftime("%H:%M:%S"),
            "buttons": m.buttons,
        }
        for m in archive.conversation(conversation_id)
    ]


def _summary(request: queue.Request, archive: Archive, now: float) -> dict:
    said = [m for m in archive.conversation(request.conversation_id) if m.visitor]
    return {
        "id": request.id,
        "channel": channel_label(request.channel),
        "waited": int(now - request.requested_at.timestamp()),
        "last": said[-1].text[:80] if said else "",
        "agent": request.agent,
        "reason": request.reason,
    }


def register(app, page, staff_only, archive: Archive, bus=None) -> None:
    bus = bus or bus_module.publisher()

    async def tell(kind: str, request: queue.Request, **fields) -> bool:
        return await bus.publish(bus_module.command(kind, request.conversation_id, **fields))

    def state(account: str) -> dict:
        online = queue.seen(account)
        now = time.time()
        return {
            "online": online,
            "agents_online": queue.agents_online(),
            "waiting": [_summary(r, archive, now) for r in queue.listed(queue.WAITING)],
            "mine": [_summary(r, archive, now) for r in queue.listed(queue.ACCEPTED, agent=account)],
            "missed": [_summary(r, archive, now) for r in queue.listed(queue.MISSED, limit=20)],
        }

    @app.get("/staff/takeover")
    @staff_only
    async def takeover_page(request):
        found = await asyncio.to_thread(state, request.ctx.session.account)
        return page(request, "takeover", state=found, gone=request.args.get("gone"), tz=store.local_tz())

    @app.get("/staff/takeover/state")
    @staff_only
    async def takeover_state(request):
        # Polled by the page (web_app/static/staff.js): it also keeps the agent's presence fresh.
        found = await asyncio.to_thread(state, request.ctx.session.account)
        return response.json(found, headers={"Cache-Control": "no-store"})

    @app.post("/staff/takeover/presence")
    @staff_only
    async def presence(request):
        online = request.form.get("online") == "1"
        await asyncio.to_thread(queue.set_presence, request.ctx.session.account, online)
        return response.redirect("/staff/takeover")

    @app.post("/staff/takeover/<request_id:int>/accept")
    @staff_only
    async def accept(request, request_id: int):
        account = request.ctx.session.account
        accepted = await asyncio.to_thread(queue.accept, request_id, account) if 0 < request_id <= MAX_ID else None
        if accepted is None:  # another agent was quicker, or the visitor got the contacts
            return response.redirect("/staff/takeover?gone=1")
        if not await tell("accept", accepted, agent=account):
            # The assistant was not paused: the conversation stays the assistant's, and the agent knows.
            await asyncio.to_thread(queue.end, request_id, queue.NOT_DELIVERED, agent=account)
            return response.redirect("/staff/takeover?gone=undelivered")
        return response.redirect(f"/staff/takeover/{request_id}")

    async def owned(request, request_id: int):
        found = await asyncio.to_thread(queue.get, request_id) if 0 < request_id <= MAX_ID else None
        if found is None:
            return None, page(request, "missing", status=404)
        return found, None

    @app.get("/staff/takeover/<request_id:int>")
    @staff_only
    async def chat_page(request, request_id: int):
        found, missing = await owned(request, request_id)
        if missing:
            return missing
        messages = await asyncio.to_thread(archive.conversation, found.conversation_id)
        mine = found.status == queue.ACCEPTED and found.agent == request.ctx.session.account
        return page(
            request,
            "takeover_chat",
            takeover=found,
            messages=messages,
            mine=mine,
            tz=store.local_tz(),
            channel=channel_label(found.channel),
            problem=request.args.get("problem"),
        )

    @app.get("/staff/takeover/<request_id:int>/messages")
    @staff_only
    async def chat_messages(request, request_id: int):
        found, missing = await owned(request, request_id)
        if missing:
            return response.json({"error": "no such request"}, status=404)
        await asyncio.to_thread(queue.seen, request.ctx.session.account)  # still at the console
        messages = await asyncio.to_thread(_messages, archive, found.conversation_id)
        return response.json({"status": found.status, "messages": messages}, headers={"Cache-Control": "no-store"})

    @app.post("/staff/takeover/<request_id:int>/say")
    @staff_only
    async def say(request, request_id: int):
        found, missing = await owned(request, request_id)
        if missing:
            return missing
        text = (request.form.get("text") or "").strip()
        if found.status != queue.ACCEPTED or found.agent != request.ctx.session.account:
            return page(request, "forbidden", status=403)
        if not text or len(text) > bus_module.MAX_TEXT:
            return response.redirect(f"/staff/takeover/{request_id}?problem=length")
        if not await tell("say", found, agent=request.ctx.session.account, text=text):
            return response.redirect(f"/staff/takeover/{request_id}?problem=undelivered")
        return response.redirect(f"/staff/takeover/{request_id}")

    @app.post("/staff/takeover/<request_id:int>/end")
    @staff_only
    async def hand_back(request, request_id: int):
        found, missing = await owned(request, request_id)
        if missing:
            return missing
        if found.agent != request.ctx.session.account:
            return page(request, "forbidden", status=403)
        ended = await asyncio.to_thread(queue.end, request_id, queue.HANDED_BACK, agent=request.ctx.session.account)
        if ended is not None:
            await tell("end", ended, agent=request.ctx.session.account, reason=queue.HANDED_BACK)
        return response.redirect("/staff/takeover")

    async def sweep() -> None:
        while True:
            await asyncio.sleep(SWEEP_SECONDS)
            try:
                missed, idle = await asyncio.to_thread(queue.overdue)
            except SQLAlchemyError as error:
                logger.error("takeover: the queue is unavailable: %r", error)
                continue
            for request in missed:
                await tell("missed", request)
            for request in idle:
                await tell("end", request, reason=queue.IDLE)

    @app.listener("after_server_start")
    async def start_sweeping(app, loop):
        app.add_task(sweep(), name="takeover_sweep")
