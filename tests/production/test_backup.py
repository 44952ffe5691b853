"""The daily backup copies the conversations and the leads, consistent while they are written,
and keeps BACKUP_KEEP_DAYS days of copies."""

from __future__ import annotations

import os
import sqlite3
import time

from production import backup


def test_each_database_is_copied_and_old_copies_are_deleted(tmp_path, monkeypatch):
    for name in ("tracker", "leads"):
        with sqlite3.connect(tmp_path / f"{name}.db") as db:
            db.execute("CREATE TABLE t (x TEXT)")
            db.execute("INSERT INTO t VALUES (?)", (f"{name} row",))
    monkeypatch.delenv("TRACKER_DB_HOST", raising=False)
    monkeypatch.setenv("TRACKER_SQLITE_PATH", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("LEADS_DATABASE_URL", f"sqlite:///{tmp_path / 'leads.db'}")
    copies = tmp_path / "backups"
    copies.mkdir()
    stale, unrelated = copies / "leads-20000101-000000.db", copies / "README.txt"
    for path in (stale, unrelated):
        path.write_text("x")
        os.utime(path, (time.time() - 20 * 86400,) * 2)

    made = backup.run(copies, days=14)

    assert [p.name.split("-")[0] for p in made] == ["conversations", "leads"]
    for path, name in zip(made, ("tracker", "leads")):
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT x FROM t").fetchall() == [(f"{name} row",)]
    assert not stale.exists() and unrelated.exists()


def test_the_settings_have_defaults_and_survive_typos():
    assert backup.keep_days({}) == 14 and backup.keep_days({"BACKUP_KEEP_DAYS": "x"}) == 14
    assert backup.keep_days({"BACKUP_KEEP_DAYS": "30"}) == 30
    assert backup.backup_dir({"BACKUP_DIR": "/srv/b"}).as_posix() == "/srv/b"
