"""`make run`'s conversations file (var/tracker.db): SQLite's integrity check at start-up, a copy
of the last file that passed it, and the words that tell an operator how to restore it.

A damaged file is not a passing outage: the Rasa server would answer while failing to save, and
the staff report would fail for good. So `make run` stops and says what to do."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Optional

# Words SQLite uses for a damaged file (sqlite3.DatabaseError, also wrapped by SQLAlchemy).
DAMAGE_WORDS = ("malformed", "not a database", "corrupt", "disk image")


def backup_path(database: Path) -> Path:
    """Where the last copy that passed the check is kept: next to the file."""
    database = Path(database)
    return database.with_name(database.name + ".backup")


@dataclass(frozen=True)
class Damage:
    database: Path
    problem: str  # SQLite's own words
    backup: Optional[Path]  # the last good copy, when there is one

    def backup_time(self) -> str:
        if self.backup is None:
            return ""
        return datetime.fromtimestamp(self.backup.stat().st_mtime).strftime("%Y-%m-%d %H:%M")

    def advice(self) -> str:
        """What is wrong and the commands that restore it (English, for the terminal)."""
        db, damaged = self.database, f"{self.database}.damaged"
        lines = [
            f"{db} (the conversations) is damaged: SQLite's integrity check says “{self.problem}”.",
            "This is not a passing outage: nothing was started, so that nothing is written into a broken file.",
        ]
        if self.backup is not None:
            lines += [
                f"Restore the copy kept at the last good start ({self.backup_time()}), then start again:",
                f"    mv {db} {damaged} && cp {self.backup} {db} && make run",
                "Conversations after that start are lost; the damaged file is kept as " + damaged + ".",
            ]
        else:
            lines += [
                f"There is no backup ({backup_path(db)} is made at every start that passes this check).",
                f"To start with no conversations and keep the damaged file: mv {db} {damaged} && make run",
            ]
        lines.append("Leads are stored elsewhere (LEADS_DATABASE_URL) and are not affected.")
        return "\n".join(lines)


def check(database: Path) -> Optional[Damage]:
    """None when the file is sound (or absent: a first start); else what SQLite found."""
    database = Path(database)
    if not database.exists() or database.stat().st_size == 0:
        return None
    try:
        connection = sqlite3.connect(database)
        try:
            rows = connection.execute("PRAGMA integrity_check(5)").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        problem = str(error)
    else:
        if rows == [("ok",)]:
            return None
        problem = "; ".join(str(row[0]) for row in rows)
    backup = backup_path(database)
    return Damage(database, problem, backup if backup.exists() and check(backup) is None else None)


def back_up(database: Path) -> Optional[Path]:
    """Copies a file that passed `check` with SQLite's online backup; the old copy is replaced
    only once the new one is complete."""
    database = Path(database)
    if not database.exists() or database.stat().st_size == 0:
        return None
    target = backup_path(database)
    partial = target.with_name(target.name + ".partial")
    source, copy = sqlite3.connect(database), sqlite3.connect(partial)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    os.replace(partial, target)
    return target


def damage_seen(database: Path, error: BaseException) -> Damage:
    """A Damage from an error met at run time, without checking the whole file again (that can
    take seconds on a large file, and the staff console must not block on every refresh)."""
    database = Path(database)
    backup = backup_path(database)
    return Damage(database, str(getattr(error, "orig", None) or error), backup if backup.exists() else None)


def is_damage(error: BaseException) -> bool:
    """Whether a database error (SQLAlchemy's or sqlite3's) says the file itself is damaged."""
    original = getattr(error, "orig", None) or error
    return isinstance(original, sqlite3.DatabaseError) and any(w in str(original).lower() for w in DAMAGE_WORDS)
