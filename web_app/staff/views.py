"""The console's pages. Every page but the login needs a session; every POST a CSRF token.

The database work (sessions, leads, the report) runs in worker threads: the web app's event
loop also serves the widget's files and ratings. A parameter the console cannot use gets 400
with a page that says which and why, a lead that does not exist 404: never a 500, and never
the "database unavailable" page for what is not an outage.
"""

from __future__ import annotations

import asyncio
import io
import logging
from datetime import date, datetime, timezone
from functools import wraps
from pathlib import Path
from typing import Optional
from urllib.parse import quote, urlsplit

from sanic import response
from sqlalchemy.exc import SQLAlchemyError

from assistant import client_address
from conversation_store import archive as archive_module
from conversation_store import integrity
from leads import screening, store
from takeover import queue
from web_app.staff import model_views, privacy_views, review_views, takeover_views
from web_app.staff.accounts import BadAccount
from web_app.staff.auth import CSRF_COOKIE, DEVICE_COOKIE, DEVICE_SECONDS, SESSION_COOKIE, SESSION_SECONDS, StaffAuth

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
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
# The dates a filter may name (a date outside has no lead and no conversation).
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2099, 12, 31)
# Lead ids are positive integers of the database's INTEGER (32 bits on PostgreSQL).
MAX_LEAD_ID = 2**31 - 1
FLAGGED = {"": None, "yes": True, "no": False}
logger = logging.getLogger(__name__)


class BadParameter(ValueError):
    """A query parameter the console cannot use: `problem` names what is wrong (the page,
    templates/staff/bad_request.html, says it in Chinese), `details` the values it quotes."""

    def __init__(self, problem: str, **details):
        super().__init__(problem)
        self.problem, self.details = problem, details


def _date(field: str, text: str | None) -> date | None:
    if not text:
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise BadParameter("date_format", field=field, value=text[:40]) from None
    if not FIRST_DATE <= value <= LAST_DATE:
        raise BadParameter("date_range", field=field, value=text, first=FIRST_DATE, last=LAST_DATE)
    return value


def _lead_id(value: int) -> int | None:
    """The id when it can name a lead, else None (the page says there is no such lead)."""
    return value if 0 < value <= MAX_LEAD_ID else None


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


# The tables of the leads database; an error naming none of them came from the conversations file
# (its tables, or the pragmas every connection to it runs first).
LEADS_TABLES = ("leads", "audit_log", "staff_accounts", "staff_devices", "staff_sessions")


def _tracker_damage(archive: archive_module.Archive, error):
    """The conversations file and its backup, when the error came from it (else None: the
    page then names no file; the leads database has its own)."""
    url = archive.engine.url
    if (
        url.get_backend_name() != "sqlite"
        or not url.database
        or any(table in (getattr(error, "statement", "") or "") for table in LEADS_TABLES)
    ):
        return None
    return integrity.damage_seen(Path(url.database), error)


def register(app, templates, auth: StaffAuth, archive: archive_module.Archive, ratings, report_index) -> None:
    static = Path(__file__).resolve().parent.parent / "static"

    def page(request, name: str, status: int = 200, **values):
        csrf = request.cookies.get(CSRF_COOKIE) or auth.new_csrf_token()
        session = getattr(request.ctx, "session", None)
        body = templates.get_template(f"staff/{name}.html").render(
            csrf=csrf,
            logged_in=session is not None,
            session=session,
            status_labels=store.STATUS_LABELS,
            flag_reason=screening.describe,
            **values,
        )
        resp = response.html(body, status=status, headers=PAGE_HEADERS)
        if request.cookies.get(CSRF_COOKIE) != csrf:
            _set_cookie(resp, request, CSRF_COOKIE, csrf, SESSION_SECONDS)
        return resp

    def csrf_ok(request) -> bool:
        return _same_origin(request) and auth.valid_csrf(request.cookies.get(CSRF_COOKIE), request.form.get("csrf"))

    def staff_only(handler=None, *, admin: bool = False):
        def decorate(handler):
            @wraps(handler)
            async def wrapped(request, *args, **kwargs):
                request.ctx.session = None
                try:
                    if not await asyncio.to_thread(auth.enabled):
                        return page(request, "disabled", status=503)
                    session = await asyncio.to_thread(auth.session, request.cookies.get(SESSION_COOKIE))
                    if session is None:
                        if request.method != "GET":
                            return page(request, "expired", status=403)
                        return response.redirect(f"/staff/login?next={quote(request.path)}")
                    request.ctx.session = session
                    if admin and not session.admin:
                        return page(request, "forbidden", status=403)
                    if request.method == "POST" and not csrf_ok(request):
                        return page(request, "expired", status=403)
                    return await handler(request, *args, **kwargs)
                except BadParameter as bad:
                    return page(request, "bad_request", status=400, problem=bad.problem, **bad.details)
                except SQLAlchemyError as error:
                    if integrity.is_damage(error):  # broken for good: say so, never "temporarily"
                        logger.error("staff console: a database file is damaged: %s", getattr(error, "orig", error))
                        return page(request, "damaged", status=500, damage=_tracker_damage(archive, error))
                    logger.error("staff console: database error %s", type(error).__name__)
                    return page(request, "unavailable", status=503)

            return wrapped

        return decorate(handler) if handler is not None else decorate

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

    # --- login, logout, password --------------------------------------------------------------
    @app.get("/staff/login")
    async def login_form(request):
        request.ctx.session = None
        try:
            if not await asyncio.to_thread(auth.enabled):
                return page(request, "disabled", status=503)
        except SQLAlchemyError:
            return page(request, "unavailable", status=503)
        return page(request, "login", next=_next(request.args.get("next")))

    @app.post("/staff/login")
    async def login(request):
        request.ctx.session = None
        target = _next(request.form.get("next"))
        if not csrf_ok(request):
            return page(request, "expired", status=403)
        name = (request.form.get("username") or "").strip()
        try:
            if not await asyncio.to_thread(auth.enabled):
                return page(request, "disabled", status=503)
            outcome, detail = await asyncio.to_thread(
                auth.login,
                name,
                request.form.get("password") or "",
                address=client_address.of_request(request),
                device_token=request.cookies.get(DEVICE_COOKIE),
                old_session=request.cookies.get(SESSION_COOKIE),
                user_agent=request.headers.get("user-agent"),
            )
        except SQLAlchemyError as error:
            logger.error("staff console: database error %s at login", type(error).__name__)
            return page(request, "unavailable", status=503)
        if outcome == "wait":
            return page(request, "login", status=429, wait_minutes=(detail + 59) // 60, next=target, username=name)
        if outcome == "wrong":
            return page(request, "login", status=401, wrong=True, next=target, username=name)
        session, device = detail
        resp = response.redirect(target)
        _set_cookie(resp, request, SESSION_COOKIE, session, SESSION_SECONDS)
        _set_cookie(resp, request, DEVICE_COOKIE, device, DEVICE_SECONDS)
        return resp

    @app.post("/staff/logout")
    @staff_only
    async def logout(request):
        await asyncio.to_thread(auth.logout, request.cookies.get(SESSION_COOKIE))
        resp = response.redirect("/staff/login")
        _set_cookie(resp, request, SESSION_COOKIE, "", 0)
        return resp

    @app.get("/staff/password")
    @staff_only
    async def password_form(request):
        return page(
            request,
            "password",
            environment=request.ctx.session.account == auth.environment_user,
            saved=request.args.get("saved"),
        )

    @app.post("/staff/password")
    @staff_only
    async def change_password(request):
        session = request.ctx.session
        new = request.form.get("new") or ""
        environment = session.account == auth.environment_user
        if new != (request.form.get("repeat") or ""):
            return page(request, "password", status=400, problem="mismatch", environment=environment)
        try:
            outcome, token = await asyncio.to_thread(
                auth.change_password,
                session,
                request.form.get("current") or "",
                new,
                address=client_address.of_request(request),
                user_agent=request.headers.get("user-agent"),
            )
        except BadAccount as bad:
            return page(request, "password", status=400, problem=bad.code, environment=environment)
        if outcome == "environment":
            return page(request, "password", status=400, environment=True)
        if outcome == "wrong":
            return page(request, "password", status=401, problem="wrong", environment=environment)
        resp = response.redirect("/staff/password?saved=1")
        _set_cookie(resp, request, SESSION_COOKIE, token, SESSION_SECONDS)
        return resp

    # --- sessions (admins) --------------------------------------------------------------------
    @app.get("/staff/sessions")
    @staff_only(admin=True)
    async def sessions_page(request):
        found = await asyncio.to_thread(auth.accounts.sessions)
        return page(
            request, "sessions", sessions=found, tz=store.local_tz(), revoked=request.args.get("revoked"), now=_utcnow()
        )

    @app.post("/staff/sessions/revoke")
    @staff_only(admin=True)
    async def revoke(request):
        key, account = request.form.get("key") or "", request.form.get("account") or ""
        if key:
            count = int(await asyncio.to_thread(auth.accounts.revoke, key[:64]))
        elif account:
            count = await asyncio.to_thread(auth.accounts.revoke_account, account[:64])
        else:
            raise BadParameter("revoke_nothing")
        # Whoever revoked their own session is logged out by it, as they asked.
        return response.redirect(f"/staff/sessions?revoked={count}")

    # --- leads ----------------------------------------------------------------------------
    def lead_filters(request) -> dict:
        """The list's filters from the query string (store.search_leads' own parameters); an
        unusable one raises BadParameter."""
        status = request.args.get("status") or ""
        if status and status not in store.STATUSES:
            raise BadParameter("status", value=status[:40])
        flagged = request.args.get("flagged") or ""
        if flagged not in FLAGGED:
            raise BadParameter("flagged", value=flagged[:40])
        since, until = _date("since", request.args.get("since")), _date("until", request.args.get("until"))
        if since and until and since > until:
            raise BadParameter("date_order", since=since, until=until)
        return {
            "query": (request.args.get("q") or "").strip()[:100],
            "since": since,
            "until": until,
            "status": status or None,
            "flagged": FLAGGED[flagged],
        }

    @app.get("/staff/", strict_slashes=True)
    @staff_only
    async def leads_page(request):
        filters = lead_filters(request)
        found = await asyncio.to_thread(store.search_leads, **filters)
        return page(request, "leads", leads=found, filters=filters, tz=store.local_tz(), csv_query=request.query_string)

    @app.get("/staff/leads.csv")
    @staff_only
    async def leads_csv(request):
        filters = lead_filters(request)
        found = (await asyncio.to_thread(store.search_leads, **filters, limit=10**9))[::-1]  # oldest first
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
        lead = await asyncio.to_thread(store.get_lead, lead_id) if _lead_id(lead_id) else None
        if lead is None:
            return page(request, "missing", status=404)
        return page(
            request,
            "lead",
            lead=lead,
            messages=await asyncio.to_thread(archive.conversation, lead.conversation_id),
            tz=store.local_tz(),
            saved=request.args.get("saved"),
        )

    @app.post("/staff/leads/<lead_id:int>/contacted")
    @staff_only
    async def mark_contacted(request, lead_id: int):
        if not _lead_id(lead_id) or await asyncio.to_thread(store.mark_contacted, lead_id) is None:
            return page(request, "missing", status=404)
        return response.redirect(f"/staff/leads/{lead_id}?saved=contacted")

    @app.post("/staff/leads/<lead_id:int>/note")
    @staff_only
    async def save_note(request, lead_id: int):
        note = request.form.get("note") or ""
        if not _lead_id(lead_id) or await asyncio.to_thread(store.set_note, lead_id, note) is None:
            return page(request, "missing", status=404)
        return response.redirect(f"/staff/leads/{lead_id}?saved=note")

    # --- the report -------------------------------------------------------------------------
    @app.get("/staff/report")
    @staff_only
    async def report_page(request):
        text = request.args.get("days")
        if text and (not text.isdigit() or int(text) not in REPORT_DAYS):
            raise BadParameter("days", value=text[:20], choices=REPORT_DAYS)
        days = int(text) if text else 30
        tz = store.local_tz()
        since = archive_module.since_days(days, tz)
        start = datetime.combine(since, datetime.min.time(), tz).timestamp()
        # Off the event loop: the figures come from the index kept as turns arrive.
        report = await asyncio.to_thread(report_index.report, since, tz)
        leads_count = await asyncio.to_thread(store.count_leads, since=since)
        people = await asyncio.to_thread(queue.figures, datetime.fromtimestamp(start, timezone.utc))
        people_ratings = await asyncio.to_thread(ratings.chat_counts_of, people.conversations, start)
        return page(
            request,
            "report",
            report=report,
            days=days,
            choices=REPORT_DAYS,
            ratings=await asyncio.to_thread(ratings.counts, start),
            since=since,
            leads_count=leads_count,
            people=people,
            people_ratings=people_ratings,
            tz=tz,
            topic_title=_topic_title,
        )

    privacy_views.register(app, page, lambda handler: staff_only(handler, admin=True), archive)  # admins only
    takeover_views.register(app, page, staff_only, archive)
    review_views.register(app, page, staff_only, archive)  # the review queue: learning/
    model_views.register(app, page, lambda handler: staff_only(handler, admin=True))  # 更新模型, admins only


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _next(target: Optional[str]) -> str:
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
