"""/staff/model (admins): 更新模型 and 回滚. The live model (when trained, on how many labels),
the last run's progress or why its model was kept aside; the work is learning/retrain.py's, in a
process of its own (learning/jobs.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime

from sanic import response

from leads import store
from learning import jobs


def register(app, page, admin_only) -> None:
    def when(at):
        return datetime.fromtimestamp(at, store.local_tz()).strftime("%Y-%m-%d %H:%M") if at else ""

    @app.get("/staff/model")
    @admin_only
    async def model_page(request):
        found = await asyncio.to_thread(jobs.overview)
        found["last_run"] = found.pop("status")  # page() has a `status` of its own: the HTTP one
        return page(request, "model", when=when, busy=request.args.get("busy"), **found)

    @app.post("/staff/model/retrain")
    @admin_only
    async def start_retrain(request):
        started = await asyncio.to_thread(jobs.start)
        return response.redirect("/staff/model" + ("" if started else "?busy=1"))

    @app.post("/staff/model/rollback")
    @admin_only
    async def start_rollback(request):
        started = await asyncio.to_thread(jobs.start, None, True)
        return response.redirect("/staff/model" + ("" if started else "?busy=1"))
