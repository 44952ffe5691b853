"""The Sanic application: the widget's site at /, the staff console at /staff/."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import NotFound
from sqlalchemy.exc import SQLAlchemyError

from assistant import client_address
from assistant.operator_endpoints import add_metrics_route
from assistant.phrasebook import say
from channels import rating_token
from conversation_store.archive import Archive
from conversation_store.report_index import ReportIndex
from leads import store
from leads.contact import visible_text
from web_app import ratings as ratings_module
from web_app import site
from web_app.staff import views
from web_app.staff.auth import StaffAuth

TEMPLATES = Path(__file__).resolve().parent / "templates"
logger = logging.getLogger(__name__)


def create_app(
    socket_url: str, *, auth: StaffAuth | None = None, archive: Archive | None = None, name: str = "chuangyiling_web"
) -> Sanic:
    app = Sanic(name)
    app.config.ACCESS_LOG = False  # it would drown the Rasa log in `make run`; errors still print
    app.config.REQUEST_MAX_SIZE = 64 * 1024
    served = site.files(socket_url)
    site_headers = site.headers(site.content_security_policy(socket_url))
    not_found = say("page_not_found") + "\n"

    @app.route("/<path:path>", methods=["GET", "HEAD"])
    async def site_file(request, path=""):
        found = served.get("/" + path)
        if found is None:
            return response.text(not_found, status=404, headers=site_headers)
        # no-cache: revalidated on every load, answered 304 while the ETag matches.
        headers = {**site_headers, "ETag": found.etag, "Cache-Control": found.cache}
        if found.etag in request.headers.get("if-none-match", ""):
            return response.empty(status=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            return response.raw(
                found.gzipped, content_type=found.content_type, headers={**headers, "Content-Encoding": "gzip"}
            )
        return response.raw(found.body, content_type=found.content_type, headers=headers)

    @app.get("/widget.json")
    async def widget_data(request):
        # Public and the same for everyone: any page embedding the widget may read it.
        return response.raw(
            site.widget_data(),
            content_type="application/json; charset=utf-8",
            headers={
                "Access-Control-Allow-Origin": "*",
                "Cache-Control": "max-age=60",
                "X-Content-Type-Options": "nosniff",
            },
        )

    archive = archive or Archive()
    secret = rating_token.secret_from_env()  # the widget's key (channels/widget_session.py)
    ratings = ratings_module.Ratings(archive.engine, secret)
    rating_rate = ratings_module.AddressRate()
    public = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type",
        "X-Content-Type-Options": "nosniff",
    }

    @app.route("/ratings", methods=["POST", "OPTIONS"])
    async def rate(request):
        """A visitor's rating from the widget: only with its conversation's token, once (web_app/ratings.py)."""
        if request.method == "OPTIONS":
            return response.empty(headers=public)
        wait = rating_rate.wait(client_address.of_request(request))
        if wait:
            headers = {**public, "Retry-After": str(int(wait) + 1)}
            return response.json({"error": "too many ratings from this address"}, status=429, headers=headers)
        try:
            try:
                body = request.json
            except Exception:  # noqa: BLE001 - malformed JSON (Sanic raises its own InvalidUsage)
                raise ratings_module.BadRating("a JSON object is expected") from None
            conversation_id, token, kind, target, value = ratings_module.parse(body)
            if ratings.secret is None:
                return response.json({"error": "ratings are not enabled on this server"}, status=503, headers=public)
            ratings.check(conversation_id, token)
            await asyncio.to_thread(ratings.record, conversation_id, kind, target, value)
        except ratings_module.RatingRefused as refused:
            return response.json({"error": str(refused)}, status=refused.status, headers=public)
        except SQLAlchemyError:
            return response.json({"error": "ratings are briefly unavailable"}, status=503, headers=public)
        return response.empty(status=204, headers=public)

    add_metrics_route(app)  # the operator's, not the site's (assistant/operator_endpoints.py)

    @app.route("/", methods=["GET", "HEAD"])
    async def index(request):
        return await site_file(request, "")

    @app.exception(NotFound)
    async def unknown(request, exception):
        return response.text(not_found, status=404, headers=site_headers)

    templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    # What visitors typed, shown without invisible characters (bidi overrides, zero-width), even
    # in leads and conversations stored before they were removed on the way in.
    templates.filters["visible"] = visible_text
    report_index = ReportIndex(archive, store.local_tz())

    @app.listener("after_server_start")
    async def keep_the_report_index(app, loop):
        report_index.start()

    views.register(app, templates, auth or StaffAuth.from_environment(), archive, ratings, report_index)
    return app
