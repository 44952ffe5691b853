"""The Sanic application: the widget's site at /, the staff console at /staff/."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic import Sanic, response
from sanic.exceptions import NotFound
from sqlalchemy.exc import SQLAlchemyError

from assistant.operator_endpoints import add_metrics_route
from assistant.phrasebook import say
from conversation_store.archive import Archive
from web_app import ratings as ratings_module
from web_app import site
from web_app.staff import views
from web_app.staff.auth import StaffAuth

TEMPLATES = Path(__file__).resolve().parent / "templates"


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
    ratings = ratings_module.Ratings(archive.engine)
    public = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "Content-Type",
        "X-Content-Type-Options": "nosniff",
    }

    @app.route("/ratings", methods=["POST", "OPTIONS"])
    async def rate(request):
        """A visitor's rating from the widget (any page embedding it may send one)."""
        if request.method == "OPTIONS":
            return response.empty(headers=public)
        try:
            ratings.record(*ratings_module.parse(request.json))
        except ratings_module.BadRating as bad:
            return response.json({"error": str(bad)}, status=400, headers=public)
        except SQLAlchemyError:
            return response.json({"error": "ratings are briefly unavailable"}, status=503, headers=public)
        except Exception:  # noqa: BLE001 - malformed JSON (Sanic raises its own InvalidUsage)
            return response.json({"error": "a JSON object is expected"}, status=400, headers=public)
        return response.empty(status=204, headers=public)

    add_metrics_route(app)  # the operator's, not the site's (assistant/operator_endpoints.py)

    @app.route("/", methods=["GET", "HEAD"])
    async def index(request):
        return await site_file(request, "")

    @app.exception(NotFound)
    async def unknown(request, exception):
        return response.text(not_found, status=404, headers=site_headers)

    templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    views.register(app, templates, auth or StaffAuth.from_environment(), archive, ratings)
    return app
