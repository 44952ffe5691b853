"""Staff commands: python -m leads list | export | mark-contacted ID | notify-pending."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from datetime import date

from sqlalchemy.exc import SQLAlchemyError

from leads import intake, notify, screening, store

USAGE_ERROR = 2


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2024-05-31") from None


def _lead_id(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a lead id: use the number shown by `list`")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m leads",
        description="Callback requests left with the assistant. Database: LEADS_DATABASE_URL "
        "(default: SQLite var/leads.db). Dates are in OFFICE_TZ (default Asia/Shanghai).",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    filters = argparse.ArgumentParser(add_help=False)
    filters.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="created on or after this day")
    filters.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="created on or before this day")
    filters.add_argument("--status", choices=store.STATUSES)
    commands.add_parser("list", parents=[filters], help="show leads, oldest first")
    export = commands.add_parser("export", parents=[filters], help="CSV (UTF-8 with BOM, opens in Excel)")
    export.add_argument("--output", "-o", metavar="FILE.csv", help="default: standard output")
    mark = commands.add_parser("mark-contacted", help="record that staff contacted the visitor")
    mark.add_argument("id", type=_lead_id)
    commands.add_parser("notify-pending", help="resend WeCom notifications that never got through")
    return parser


# Control characters (ESC starts terminal escape sequences), DEL, C1 controls and the bidi
# overrides that reorder a line: what a visitor typed must not steer the staff's terminal.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_safe(value) -> str:
    text = "-" if value in (None, "") else str(value)
    return _UNPRINTABLE.sub(lambda m: " " if m.group(0) in "\n\r\t" else f"\\u{ord(m.group(0)):04x}", text)


def _print_list(leads: list[store.Lead]) -> None:
    tz = store.local_tz()
    for lead in leads:
        s = terminal_safe
        print(
            f"#{lead.id}  {lead.created_at.astimezone(tz):%Y-%m-%d %H:%M}  {lead.status:<9}  "
            f"{s(lead.name)}  手机 {s(lead.phone)}  微信 {s(lead.wechat)}  "
            f"需求 {s(lead.need)[:40]}  时间 {s(lead.preferred_time)}  ({s(lead.channel)} {s(lead.conversation_id)})"
            + (f"  [疑似自动提交: {screening.describe(lead.flag)}]" if lead.flag else "")
        )
    print(f"{len(leads)} lead(s)", file=sys.stderr)


def _export(leads: list[store.Lead], output: str | None) -> None:
    if output is None:
        sys.stdout.flush()
        store.write_csv(leads, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    try:
        with open(output, "wb") as out:
            store.write_csv(leads, out)
    except OSError as exc:
        raise SystemExit(f"cannot write {output}: {exc.strerror}") from None
    print(f"{len(leads)} lead(s) written to {output}", file=sys.stderr)


def _notify_pending() -> int:
    url = os.environ.get("LEADS_WECOM_WEBHOOK", "").strip()
    if not url:
        print("LEADS_WECOM_WEBHOOK is not set", file=sys.stderr)
        return USAGE_ERROR
    notifier = notify.WecomNotifier(url)
    pending = store.unnotified_leads()
    failed = [lead.id for lead in pending if not notifier.deliver(lead)]
    print(f"{len(pending) - len(failed)} of {len(pending)} lead(s) notified", file=sys.stderr)
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    try:
        if args.command == "mark-contacted":
            lead = store.mark_contacted(args.id)
            if lead is None:
                print(f"no lead #{args.id}", file=sys.stderr)
                return USAGE_ERROR
            print(f"lead #{lead.id} contacted at {lead.contacted_at.astimezone(store.local_tz()):%Y-%m-%d %H:%M}")
            return 0
        if args.command == "notify-pending":
            return _notify_pending()
        if args.since and args.until and args.since > args.until:
            print(f"--since {args.since} is after --until {args.until}", file=sys.stderr)
            return USAGE_ERROR
        intake.deliver_kept_leads()  # leads kept on disk during an outage are listed too
        leads = store.list_leads(since=args.since, until=args.until, status=args.status)
        if args.command == "list":
            _print_list(leads)
        else:
            _export(leads, args.output)
        return 0
    except SQLAlchemyError as exc:
        # One line, without the URL (it may hold a password).
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"database error ({type(exc).__name__}): {reason}", file=sys.stderr)
        return 1
