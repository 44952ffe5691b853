"""`make run` with a damaged conversations file (var/tracker.db): it says what is wrong and how
to restore the backup, and starts nothing, instead of saying Ready over a broken file."""

import os
import signal
import sqlite3
import subprocess
import sys

import pytest

from harness.bot_process import ROOT, free_port


def conversations_file(path):
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)")
    connection.executemany(
        "INSERT INTO events (sender_id, data) VALUES (?, ?)", [(f"s{i}", "x" * 200) for i in range(5000)]
    )
    connection.commit()
    connection.close()
    return path


def damage(path):
    with open(path, "r+b") as f:  # what a crash mid-write or a bad disk leaves
        f.seek(4096 * 50)
        f.write(os.urandom(4096 * 3))


def start_run(tracker, timeout=60):
    """`python -m process_supervisor` as scripts/run.sh execs it; (exit code, output)."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TRACKER_SQLITE_PATH": str(tracker),
        **{name: str(free_port()) for name in ("RASA_PORT", "ACTION_PORT", "WEB_PORT")},
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "process_supervisor"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        pytest.fail("the run started over a damaged conversations file:\n" + out.decode(errors="replace")[-1500:])
    return proc.returncode, out.decode(errors="replace")


def test_a_damaged_file_stops_the_run_with_the_restore_command(tmp_path):
    tracker = conversations_file(tmp_path / "tracker.db")
    backup = tmp_path / "tracker.db.backup"  # what the last good start left
    backup.write_bytes(tracker.read_bytes())
    damage(tracker)
    code, out = start_run(tracker)
    assert code != 0 and "Ready" not in out
    assert "damaged" in out and "malformed" in out  # what is wrong, in SQLite's words
    assert f"cp {backup} {tracker}" in out  # how to restore it
    assert "Traceback" not in out


def test_a_file_that_is_not_a_database_is_named_without_a_backup(tmp_path):
    tracker = tmp_path / "tracker.db"
    tracker.write_bytes(b"this is not SQLite" * 1000)
    code, out = start_run(tracker)
    assert code != 0 and "not a database" in out and "no backup" in out
    assert tracker.read_bytes().startswith(b"this is not SQLite")  # kept as it was
