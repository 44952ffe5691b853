"""The daily backup (`python -m production.backup`, a systemd timer on a real server): the
conversations and the leads, each SQLite database copied with SQLite's online backup (consistent
while the assistant writes) or dumped with pg_dump, into BACKUP_DIR; copies older than
BACKUP_KEEP_DAYS are deleted. Restore: stop the services, copy the file back (docs/deploy.md)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from sqlalchemy.engine import make_url

from assistant import settings
from conversation_store.archive import tracker_database_url
from leads.store import database_url as leads_database_url

ROOT = Path(__file__).resolve().parent.parent


def backup_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """BACKUP_DIR: where the copies go (default var/backups in the project)."""
    return settings.BACKUP_DIR.path(environ)


def keep_days(environ: Mapping[str, str] = os.environ) -> int:
    """BACKUP_KEEP_DAYS: copies older than this many days are deleted (default 14)."""
    try:
        return max(1, settings.BACKUP_KEEP_DAYS.integer(environ))
    except ValueError:
        return 14


def copy_database(url: str, target_stem: Path) -> Path:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = target_stem.with_suffix(".db")
        source = sqlite3.connect(f"file:{parsed.database}?mode=ro", uri=True)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    target = target_stem.with_suffix(".sql.gz")
    dsn = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    with open(target, "wb") as out:
        dump = subprocess.Popen(["pg_dump", "--no-owner", dsn], stdout=subprocess.PIPE)
        subprocess.run(["gzip", "-c"], stdin=dump.stdout, stdout=out, check=True)
        if dump.wait() != 0:
            raise RuntimeError(f"pg_dump of {parsed.database} failed")
    return target


def run(directory: Path, days: int, now: float | None = None) -> list[Path]:
    now = time.time() if now is None else now
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.fromtimestamp(now, timezone.utc).strftime("%Y%m%d-%H%M%S")
    made = []
    for name, url in (("conversations", tracker_database_url()), ("leads", leads_database_url())):
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").exists():
            continue  # nothing stored yet
        made.append(copy_database(url, directory / f"{name}-{stamp}"))
    for old in directory.iterdir():
        ours = old.name.startswith(("conversations-", "leads-"))
        if ours and old.is_file() and old not in made and old.stat().st_mtime < now - days * 86400:
            old.unlink()
    return made


def main() -> int:
    try:
        made = run(backup_dir(), keep_days())
    except (OSError, RuntimeError, sqlite3.Error, subprocess.CalledProcessError) as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    for path in made:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
