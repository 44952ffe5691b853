"""The staff report over a damaged conversations file says it is damaged and how to restore it,
never that the database is briefly unavailable (a refresh would never help)."""

import json
import sqlite3
import time

import pytest

from tests.markers import starts_servers
from tests.process_supervisor.test_damaged_conversations import damage
from tests.web.widget import WebServer
from tests.web_app.test_staff_console import Client

PASSWORD = "damaged-test-password"


def tracker_file(path):
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
        "intent_name TEXT, action_name TEXT, data TEXT)"
    )
    now = time.time()
    connection.executemany(
        "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, ?)",
        [(f"s{i}", now, json.dumps({"text": "你好" * 50})) for i in range(5000)],
    )
    connection.commit()
    connection.close()
    return path


@pytest.fixture
@starts_servers
def damaged_console(tmp_path):
    tracker = tracker_file(tmp_path / "tracker.db")
    (tmp_path / "tracker.db.backup").write_bytes(tracker.read_bytes())
    damage(tracker)
    env = {
        "STAFF_PASSWORD": PASSWORD,
        "TRACKER_SQLITE_PATH": str(tracker),
        "LEADS_DATABASE_URL": f"sqlite:///{tmp_path / 'leads.db'}",
    }
    with WebServer("http://127.0.0.1:5005", env=env) as web:
        client = Client(web.url.rstrip("/"))
        client.request("/staff/login")
        client.request("/staff/login", {"username": "admin", "password": PASSWORD, "csrf": client.cookie("staff_csrf")})
        yield client, tracker


def test_the_report_says_the_file_is_damaged_and_how_to_restore_it(damaged_console):
    client, tracker = damaged_console
    status, _, body = client.request("/staff/report")
    assert status == 500 and "已损坏" in body and "暂时无法访问" not in body
    assert f"cp {tracker}.backup {tracker}" in body
