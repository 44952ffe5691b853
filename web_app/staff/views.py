"""The console's pages. Every page but the login needs a session; every POST a CSRF token."""

from __future__ import annotations

import io
import logging
from datetime import date, datetime
from functools import wraps
from pathlib import Path
from urllib.parse import quote, urlsplit

from sanic import response
from sqlalchemy.exc import SQLAlchemyError

from conversation_store import archive as archive_module
from conversation_store import integrity
from leads import store
from web_app.staff import privacy_views
from web_app.staff.auth import CSRF_COOKIE, SESSION_COOKIE, SESSION_SECONDS, StaffAuth

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    # same-origin, not no-referrer: with no-referrer a form POST carries "Origin: null" and the
    # browser withholds SameSite cookies from it.
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
REPORT_DAYS = (7, 30, 90)
logger = logging.getLogger(__name__)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _secure(request) -> bool:
    return request.headers.get("x-forwarded-proto", request.scheme) == "https"


def _set_cookie(resp, request, name: str, value: str, max_age: int) -> None:
    resp.cookies[name] = value
    morsel = resp.cookies[name]
    morsel["path"] = "/staff"
    morsel["httponly"] = True
    morsel["samesite"] = "Strict"
    morsel["max-age"] = max_age
    if _secure(request):
        morsel["secure"] = True


def _same_origin(request) -> bool:
    """A POST's Origin, when the browser sends one, is this console's own (behind nginx, the
    host the browser used arrives as X-Forwarded-Host; a cross-site form cannot set it)."""
    origin = request.headers.get("origin")
    return not origin or urlsplit(origin).netloc == (request.headers.get("x-forwarded-host") or request.host)


def _tracker_damage(archive: archive_module.Archive, error):
    """The conversations file and its backup, when the error came from it (else None: the
    page then names no file; the leads database has its own)."""
    url = archive.engine.url
    if (
        url.get_backend_name() != "sqlite"
        or not url.database
        or "events" not in (getattr(error, "statement", "") or "")
    ):
        return None
    return integrity.damage_seen(Path(url.database), error)


def register(app, templates, auth: StaffAuth, archive: archive_module.Archive, ratings) -> None:
    static = Path(__file__).resolve().parent.parent / "static"

    def page(request, name: str, status: int = 200, **values):
        csrf = request.cookies.get(CSRF_COOKIE) or auth.new_csrf_token()
        body = templates.get_template(f"staff/{name}.html").render(
            csrf=csrf,
            logged_in=auth.valid_session(request.cookies.get(SESSION_COOKIE)),
            status_labels=store.STATUS_LABELS,
            **values,
        )
        resp = response.html(body, status=status, headers=PAGE_HEADERS)
        if request.cookies.get(CSRF_COOKIE) != csrf:
            _set_cookie(resp, request, CSRF_COOKIE, csrf, SESSION_SECONDS)
        return resp

    def staff_only(handler):
        @wraps(handler)
        async def wrapped(request, *args, **kwargs):
            if not auth.enabled:
                return page(request, "disabled", status=503)
            if not auth.valid_session(request.cookies.get(SESSION_COOKIE)):
                if request.method != "GET":
                    return page(request, "expired", status=403)
                return response.redirect(f"/staff/login?next={quote(request.path)}")
            if request.method == "POST" and not (
                _same_origin(request) and auth.valid_csrf(request.cookies.get(CSRF_COOKIE), request.form.get("csrf"))
            ):
                return page(request, "expired", status=403)
            try:
                return await handler(request, *args, **kwargs)
            except SQLAlchemyError as error:
                if integrity.is_damage(error):  # broken for good: say so, never "temporarily"
                    logger.error("staff console: a database file is damaged: %s", getattr(error, "orig", error))
                    return page(request, "damaged", status=500, damage=_tracker_damage(archive, error))
                logger.error("staff console: database error %s", type(error).__name__)
                return page(request, "unavailable", status=503)

        return wrapped

    @app.get("/staff", strict_slashes=True)
    async def staff_root(request):
        return response.redirect("/staff/")

    for name, content_type in (("staff.css", "text/css"), ("staff.js", "text/javascript")):
        body = (static / name).read_bytes()

        async def static_file(request, body=body, content_type=content_type):
            return response.raw(
                body,
                content_type=f"{content_type}; charset=utf-8",
                headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
            )

        app.add_route(
            static_file, f"/staff/static/{name}", methods=["GET"], name=f"staff_static_{name.replace('.', '_')}"
        )

    @app.get("/staff/login")
    async def login_form(request):
        if not auth.enabled:
            return page(request, "disabled", status=503)
        return page(request, "login", next=_next(request.args.get("next")))

    @app.post("/staff/login")
    async def login(request):
        if not auth.enabled:
            return page(request, "disabled", status=503)
        address = request.remote_addr or request.ip or "-"
        wait = auth.wait_seconds(address)
        if wait:
            return page(
                request, "login", status=429, wait_minutes=(wait + 59) // 60, next=_next(request.form.get("next"))
            )
        if not (_same_origin(request) and auth.valid_csrf(request.cookies.get(CSRF_COOKIE), request.form.get("csrf"))):
            return page(request, "expired", status=403)
        if not auth.check_password(address, request.form.get("password") or ""):
            return page(request, "login", status=401, wrong=True, next=_next(request.form.get("next")))
        resp = response.redirect(_next(request.form.get("next")))
        _set_cookie(resp, request, SESSION_COOKIE, auth.new_session(), SESSION_SECONDS)
        return resp

    @app.post("/staff/logout")
    @staff_only
    async def logout(request):
        resp = response.redirect("/staff/login")
        _set_cookie(resp, request, SESSION_COOKIE, "", 0)
        return resp

    def lead_filters(request) -> dict:
        """The list's filters from the query string: store.search_leads' own parameters."""
        status = request.args.get("status")
        return {
            "query": (request.args.get("q") or "").strip()[:100],
            "since": _date(request.args.get("since")),
            "until": _date(request.args.get("until")),
            "status": status if status in store.STATUSES else None,
        }

    @app.get("/staff/", strict_slashes=True)
    @staff_only
    async def leads_page(request):
        filters = lead_filters(request)
        found = store.search_leads(**filters)
        return page(request, "leads", leads=found, filters=filters, tz=store.local_tz(), csv_query=request.query_string)

    @app.get("/staff/leads.csv")
    @staff_only
    async def leads_csv(request):
        found = store.search_leads(**lead_filters(request), limit=10**9)[::-1]  # oldest first, as make leads
        out = io.BytesIO()
        store.write_csv(found, out)
        return response.raw(
            out.getvalue(),
            content_type="text/csv; charset=utf-8",
            headers={**PAGE_HEADERS, "Content-Disposition": 'attachment; filename="leads.csv"'},
        )

    @app.get("/staff/leads/<lead_id:int>")
    @staff_only
    async def lead_page(request, lead_id: int):
        lead = store.get_lead(lead_id)
        if lead is None:
            return page(request, "missing", status=404)
        return page(
            request,
            "lead",
            lead=lead,
            messages=archive.conversation(lead.conversation_id),
            tz=store.local_tz(),
            saved=request.args.get("saved"),
        )

    @app.post("/staff/leads/<lead_id:int>/contacted")
    @staff_only
    async def mark_contacted(request, lead_id: int):
        if store.mark_contacted(lead_id) is None:
            return page(request, "missing", status=404)
        return response.redirect(f"/staff/leads/{lead_id}?saved=contacted")

    @app.post("/staff/leads/<lead_id:int>/note")
    @staff_only
    async def save_note(request, lead_id: int):
        if store.set_note(lead_id, request.form.get("note") or "") is None:
            return page(request, "missing", status=404)
        return response.redirect(f"/staff/leads/{lead_id}?saved=note")

    @app.get("/staff/report")
    @staff_only
    async def report_page(request):
        days = int(request.args.get("days")) if (request.args.get("days") or "").isdigit() else 30
        days = days if days in REPORT_DAYS else 30
        tz = store.local_tz()
        since = archive_module.since_days(days, tz)
        leads_in_period = store.list_leads(since=since)
        start = datetime.combine(since, datetime.min.time(), tz).timestamp()
        return page(
            request,
            "report",
            report=archive.report(since, tz),
            days=days,
            choices=REPORT_DAYS,
            ratings=ratings.counts(start),
            since=since,
            leads_count=len(leads_in_period),
            tz=tz,
            topic_title=_topic_title,
        )

    privacy_views.register(app, page, staff_only, archive)


def _next(target: str | None) -> str:
    """Where to go after login: only a page of the console, never another site."""
    if target and target.startswith("/staff/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff/"


def _topic_title(key: str) -> str:
    from assistant.kb import load_kb

    kb = load_kb()
    for table in (kb.comparisons, kb.facts):
        if key in table:
            return table[key].get("title") or key
    return key
