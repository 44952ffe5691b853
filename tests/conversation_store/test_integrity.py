"""The conversations file's check and backup (conversation_store/integrity.py)."""

import sqlite3

from conversation_store import integrity
from tests.process_supervisor.test_damaged_conversations import conversations_file, damage


def test_a_sound_file_passes_and_its_backup_is_a_working_copy(tmp_path):
    tracker = conversations_file(tmp_path / "tracker.db")
    assert integrity.check(tracker) is None
    backup = integrity.back_up(tracker)
    assert backup == tmp_path / "tracker.db.backup" and integrity.check(backup) is None
    assert sqlite3.connect(backup).execute("SELECT count(*) FROM events").fetchone() == (5000,)


def test_a_damaged_file_is_found_and_its_backup_offered(tmp_path):
    tracker = conversations_file(tmp_path / "tracker.db")
    integrity.back_up(tracker)
    damage(tracker)
    found = integrity.check(tracker)
    assert found is not None and "malformed" in found.problem and found.backup == tmp_path / "tracker.db.backup"
    assert f"cp {found.backup} {tracker}" in found.advice()


def test_a_first_start_has_nothing_to_check(tmp_path):
    assert integrity.check(tmp_path / "tracker.db") is None and integrity.back_up(tmp_path / "tracker.db") is None
