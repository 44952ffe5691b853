"""/staff/review: the review queue (learning/review.py). Staff mark a group of misread messages
answered right, assign it to a topic (its text becomes a training example, learning/labels.py),
or mark it out of the page's scope, and add questions of their own to a topic. /staff/model
(learning/model_views.py) turns the labels into a checked model."""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime
from urllib.parse import urlencode

from sanic import response

from conversation_store import archive as archive_module
from leads import store
from learning import review, topics
from learning.labels import MAX_TEXT, LabelFile

OUT_OF_SCOPE = "out_of_scope"
MAX_SENDER = 255  # the events table's sender_id


def register(app, page, staff_only, archive: archive_module.Archive, labels: LabelFile | None = None) -> None:
    labels = labels or LabelFile()
    decisions = review.Decisions(store.default_engine())

    cache = {"at": -1e9, "found": []}
    cache_lock = threading.Lock()

    def load():
        """The queue: the events read at most every CACHE_SECONDS (a page view must not scan 30
        days of events each time), less what was decided or labelled since, at once."""
        with cache_lock:
            if time.monotonic() - cache["at"] > review.CACHE_SECONDS:
                cache["found"], cache["at"] = review.misread(archive.engine), time.monotonic()
            found = cache["found"]
        groups = review.grouped(found, decisions.keys(), set(labels.known()))
        return groups, decisions.recent(20)

    def show(request, status: int = 200, **values):
        groups, recent = values.pop("loaded")
        return page(
            request,
            "review",
            status=status,
            groups=groups,
            recent=recent,
            topics=topics.topics(),
            topic_name=topics.name_of,
            tz=store.local_tz(),
            when=lambda at: datetime.fromtimestamp(at, store.local_tz()).strftime("%m-%d %H:%M"),
            max_text=MAX_TEXT,
            **values,
        )

    @app.get("/staff/review")
    @staff_only
    async def review_page(request):
        outcome = request.args.get("outcome") or ""
        intent = request.args.get("intent") or ""
        return show(
            request,
            loaded=await asyncio.to_thread(load),
            outcome=outcome if outcome in OUTCOMES else "",
            outcome_topic=topics.name_of(intent) if intent in topics.by_intent() else "",
        )

    @app.get("/staff/review/conversation")
    @staff_only
    async def review_conversation(request):
        sender = (request.args.get("id") or "")[:MAX_SENDER]
        messages = await asyncio.to_thread(archive.conversation, sender) if sender else []
        if not messages:
            return page(request, "missing", status=404)
        return page(
            request,
            "review_conversation",
            sender=sender,
            messages=messages,
            highlight=request.args.get("text") or "",
            tz=store.local_tz(),
        )

    async def label(request, text: str, intent: str):
        outcome = await asyncio.to_thread(labels.add, text, intent, request.ctx.session.account)
        return outcome

    @app.post("/staff/review/decide")
    @staff_only
    async def decide(request):
        text = " ".join((request.form.get("text") or "").split())
        decision = request.form.get("decision") or ""
        intent = request.form.get("intent") or ""
        if not text or len(text) > MAX_TEXT or decision not in review.DECISIONS:
            return show(request, status=400, loaded=await asyncio.to_thread(load), problem="decision")
        if decision == "out_of_scope":
            intent = OUT_OF_SCOPE
        if decision != "right" and intent not in topics.by_intent():
            return show(request, status=400, loaded=await asyncio.to_thread(load), problem="topic")
        status = "right"
        if decision != "right":
            outcome = await label(request, text, intent)
            status, intent = outcome.status, outcome.existing_intent or intent
            if status not in ("added", "duplicate"):  # flagged, not added: it stays in the queue
                return redirect(status, intent)
        await asyncio.to_thread(
            decisions.record, text, decision, request.ctx.session.account, None if decision == "right" else intent
        )
        return redirect(status, intent)

    @app.post("/staff/review/own")
    @staff_only
    async def own_question(request):
        text = " ".join((request.form.get("text") or "").split())
        intent = request.form.get("intent") or ""
        if intent not in topics.by_intent():
            return show(request, status=400, loaded=await asyncio.to_thread(load), problem="topic")
        if not text or len(text) > MAX_TEXT:
            return show(request, status=400, loaded=await asyncio.to_thread(load), problem="text")
        outcome = await label(request, text, intent)
        return redirect(outcome.status, outcome.existing_intent or intent)


OUTCOMES = ("right", "added", "duplicate", "contradicts", "held_out", "empty", "too_long")


def redirect(outcome: str, intent: str):
    return response.redirect("/staff/review?" + urlencode({"outcome": outcome, "intent": intent or ""}))
