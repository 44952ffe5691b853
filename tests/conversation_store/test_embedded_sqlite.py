"""`make run` keeps its conversations in a SQLite file (TRACKER_SQLITE_PATH, default
var/tracker.db): a restart loses no context."""

from __future__ import annotations

import json
import sqlite3

import pytest

from harness.bot_process import BotProcess, texts

pytestmark = pytest.mark.e2e  # starts the assistant's processes


def test_after_a_restart_a_follow_up_keeps_its_context_and_the_conversation_is_in_the_file(tmp_path):
    stores = {"TRACKER_SQLITE_PATH": str(tmp_path / "tracker.db"), "TRACKER_JOURNAL_PATH": str(tmp_path / "j.db")}
    with BotProcess(env=stores) as bot:
        assert "淘宝运营" in texts(bot.say("returning-visitor", "淘宝运营和推广专员有什么区别"))
    with BotProcess(env=stores) as bot:  # the server restarted
        follow_up = texts(bot.say("returning-visitor", "那能力要求呢"))
    # The ability row of the same comparison: the context survived the restart.
    assert "大局观" in follow_up and "宣传能力" in follow_up, follow_up
    with sqlite3.connect(tmp_path / "tracker.db") as db:
        said = [
            json.loads(data)["text"]
            for (data,) in db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", ("returning-visitor",)
            )
        ]
    assert said == ["淘宝运营和推广专员有什么区别", "那能力要求呢"]


def test_guess_you_ask_on_opening_follows_what_visitors_asked(tmp_path):
    stores = {"TRACKER_SQLITE_PATH": str(tmp_path / "tracker.db"), "TRACKER_JOURNAL_PATH": str(tmp_path / "j.db")}
    with BotProcess(env=stores) as bot:
        for visitor in ("asker-1", "asker-2", "asker-3"):
            bot.say(visitor, "什么是无形价值")
        greeting = bot.say("newcomer", "你好")
    buttons = [b["title"] for m in greeting for b in m.get("buttons") or []]
    assert "猜你想问" in texts(greeting) and buttons[0] == "什么是无形价值", buttons
