"""`python -m privacy purge` (the daily retention job) and `python -m privacy erase CONTACT --by NAME`
(one visitor's data on request, also in the staff console at /staff/privacy)."""

from __future__ import annotations

import argparse
import sys

from conversation_store.archive import Archive
from leads import store
from privacy import erasure, retention, settings


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m privacy", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    purge = commands.add_parser("purge", help="delete conversations and leads older than RETENTION_DAYS")
    purge.add_argument("--days", type=int, default=None, help="instead of RETENTION_DAYS")
    erase = commands.add_parser("erase", help="delete one visitor's leads and conversations")
    erase.add_argument("contact", help="their phone number or WeChat ID")
    erase.add_argument("--by", required=True, help="who asks (written to the audit log)")
    args = parser.parse_args(argv)
    leads_engine, tracker_engine = store.default_engine(), Archive().engine
    if args.command == "purge":
        days = settings.retention_days() if args.days is None else args.days
        done = retention.purge(days, leads_engine, tracker_engine)
        print(
            f"purged: {done.conversations} conversation(s), {done.events} event(s), {done.leads} lead(s) older than {days} days"
        )
        return 0
    found = erasure.erase_visitor(args.contact, args.by, leads_engine, tracker_engine)
    if not found.phone and not found.wechat:
        print("not a phone number or WeChat ID", file=sys.stderr)
        return 2
    print(f"erased {found.masked}: {len(found.leads)} lead(s), {len(found.conversations)} conversation(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
