"""Staff accounts of the console: python -m web_app.staff add NAME [--admin] | passwd NAME |
remove NAME | list | sessions | revoke NAME | revoke --all.

Accounts and sessions are in the leads database (LEADS_DATABASE_URL, default var/leads.db).
Passwords are read from the terminal (twice), or one line from standard input with
--password-stdin; STAFF_PASSWORD's account (STAFF_USER, default admin) is changed through that
variable only."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.exc import SQLAlchemyError

from leads import store
from web_app.staff.accounts import Accounts, BadAccount

USAGE_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m web_app.staff", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="a new account")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true", help="may see and end everyone's sessions")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd = commands.add_parser("passwd", help="a new password (every session of the account ends)")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    remove = commands.add_parser("remove", help="delete an account and end its sessions")
    remove.add_argument("name")
    commands.add_parser("list", help="the accounts")
    commands.add_parser("sessions", help="the sessions that are logged in")
    revoke = commands.add_parser("revoke", help="end every session of an account (or of all)")
    who = revoke.add_mutually_exclusive_group(required=True)
    who.add_argument("name", nargs="?")
    who.add_argument("--all", action="store_true")
    return parser


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password (10 characters at least): ")
    if getpass.getpass("Once more: ") != first:
        raise BadAccount("mismatch", "the two passwords differ")
    return first


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    accounts = Accounts(store.default_engine)
    tz = store.local_tz()
    try:
        if args.command == "add":
            account = accounts.add(args.name, _password(args.password_stdin), admin=args.admin)
            print(f"account {account.name} added{' (admin)' if account.admin else ''}")
        elif args.command == "passwd":
            account = accounts.get(args.name)
            if account is not None and account.from_environment:
                raise BadAccount("environment", f"{args.name}'s password is STAFF_PASSWORD: change it and restart")
            ended = accounts.set_password(args.name, _password(args.password_stdin))
            print(f"password of {args.name} changed; {ended} session(s) ended")
        elif args.command == "remove":
            if not accounts.remove(args.name):
                raise BadAccount("missing", f"there is no account {args.name}")
            print(f"account {args.name} removed")
        elif args.command == "list":
            for account in accounts.list():
                notes = ["admin"] * account.admin + ["STAFF_PASSWORD"] * account.from_environment
                changed = account.password_changed_at.astimezone(tz)
                print(f"{account.name}  password changed {changed:%Y-%m-%d %H:%M}  {' '.join(notes)}".rstrip())
        elif args.command == "sessions":
            for session in accounts.sessions():
                print(
                    f"{session.account}  since {session.created_at.astimezone(tz):%Y-%m-%d %H:%M}  "
                    f"seen {session.last_seen_at.astimezone(tz):%H:%M}  {session.address or '-'}  {session.key[:12]}"
                )
        elif args.command == "revoke":
            names = [a.name for a in accounts.list()] if args.all else [args.name]
            ended = sum(accounts.revoke_account(name) for name in names)
            print(f"{ended} session(s) ended")
        return 0
    except BadAccount as bad:
        print(str(bad), file=sys.stderr)
        return USAGE_ERROR
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"database error ({type(exc).__name__}): {reason}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
