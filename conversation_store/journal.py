"""Conversation events a replica could not write to PostgreSQL, kept on local disk (SQLite)
until the database accepts them, in the order they happened.

One file per replica (TRACKER_JOURNAL_PATH; scripts/stack.sh gives each its own), so a
replica restarted during an outage still delivers what it kept."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterable, List, Tuple

from assistant import settings


def journal_path(environ=os.environ) -> Path:
    return settings.TRACKER_JOURNAL_PATH.path(environ)


class Journal:
    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # a kept event survives a power cut
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS pending (id INTEGER PRIMARY KEY AUTOINCREMENT, "
            "sender_id TEXT NOT NULL, data TEXT NOT NULL)"
        )
        self._lock = threading.Lock()
        self._count = self._db.execute("SELECT count(*) FROM pending").fetchone()[0]

    def __len__(self) -> int:
        return self._count

    def add(self, sender_id: str, events: Iterable[dict]) -> None:
        rows = [(sender_id, json.dumps(event, ensure_ascii=False)) for event in events]
        with self._lock:
            with self._db:
                self._db.executemany("INSERT INTO pending (sender_id, data) VALUES (?, ?)", rows)
            self._count += len(rows)

    def pending(self) -> List[Tuple[int, str, dict]]:
        with self._lock:
            rows = self._db.execute("SELECT id, sender_id, data FROM pending ORDER BY id").fetchall()
        return [(row_id, sender, json.loads(data)) for row_id, sender, data in rows]

    def remove_through(self, last_id: int) -> None:
        with self._lock:
            with self._db:
                self._db.execute("DELETE FROM pending WHERE id <= ?", (last_id,))
            self._count = self._db.execute("SELECT count(*) FROM pending").fetchone()[0]
