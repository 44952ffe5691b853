"""/staff/privacy: find one visitor's leads and conversations by phone number or WeChat ID, and
delete them on the visitor's request (privacy/erasure.py), each deletion in the audit log."""

from __future__ import annotations

import asyncio

from conversation_store import archive as archive_module
from leads import store
from privacy import audit, erasure

MAX_QUERY = 64  # a phone number or WeChat ID is far shorter


def register(app, page, staff_only, archive: archive_module.Archive) -> None:
    def engines():
        return store.default_engine(), archive.engine

    def lookup(query: str):
        if not query:
            return None
        if len(query) > MAX_QUERY or erasure.identify(query) == (None, None):
            return "not_a_contact"
        return erasure.find_visitor(query, *engines())

    @app.get("/staff/privacy")
    @staff_only
    async def privacy_page(request):
        query = (request.args.get("q") or "").strip()
        found = await asyncio.to_thread(lookup, query)
        status = 400 if found == "not_a_contact" else 200
        log = await asyncio.to_thread(audit.recent, store.default_engine())
        return page(request, "privacy", status=status, query=query, found=found, log=log, tz=store.local_tz())

    @app.post("/staff/privacy/erase")
    @staff_only
    async def erase(request):
        query = (request.form.get("q") or "").strip()
        actor = " ".join((request.form.get("actor") or "").split())[:64]
        found = await asyncio.to_thread(lookup, query)
        if found is None or found == "not_a_contact" or not actor or request.form.get("confirm") != "yes":
            log = await asyncio.to_thread(audit.recent, store.default_engine())
            return page(
                request, "privacy", status=400, query=query, found=found, log=log, tz=store.local_tz(), incomplete=True
            )
        erased = await asyncio.to_thread(erasure.erase_visitor, query, actor, *engines())
        log = await asyncio.to_thread(audit.recent, store.default_engine())
        return page(request, "privacy", query="", found=None, erased=erased, log=log, tz=store.local_tz())
