"""The loop end to end: a message the assistant misreads is labelled; 更新模型 trains with the
label, checks the model and loads it into the running Rasa server while a visitor sends a turn
every 100 ms (none fails, none is lost); the message is then answered right through REST. A
label the model cannot learn keeps the live model and says why; rollback brings the old one back."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant import settings
from harness.bot_process import ROOT, BotProcess
from learning import retrain as retrain_module
from learning.labels import LabelFile
from tests.markers import starts_servers

pytestmark = pytest.mark.e2e  # starts the assistant and trains models

MISREAD = "投放渠道主要有哪些类型"  # declined as out of scope by the model of `make model`
AD_FORMS = "Banner广告"  # in the page's answer about ad forms
TOKEN = "learning-test-token"
CONTRADICTION = "什麼叫無形價值"


@pytest.fixture(scope="module")
@starts_servers
def loop(tmp_path_factory):
    d = tmp_path_factory.mktemp("learning")
    env = {"STAFF_LABELS_PATH": str(d / "staff_labels.yml"), "LEARNING_DIR": str(d / "learning")}
    with BotProcess(env={"TRACKER_SQLITE_PATH": str(d / "tracker.db")}, api_token=TOKEN) as bot:
        env.update(LEARNING_RASA_URLS=bot.url, RASA_AUTH_TOKEN=TOKEN)
        yield bot, LabelFile(d / "staff_labels.yml"), env, d / "learning"


def retrain(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "learning.retrain", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        timeout=1500,
    )
    status = json.loads((ROOT / env["LEARNING_DIR"] / "status.json").read_text(encoding="utf-8"))
    return {**status, "returncode": done.returncode}


def said(replies: list) -> str:
    return " ".join(r.get("text") or "" for r in replies)


class Visitor(threading.Thread):
    """A turn every 100 ms, each checked for an answer; `say(sender, text)` returns the replies."""

    def __init__(self, say):
        super().__init__(daemon=True)
        self.say, self.sent, self.answered, self.errors = say, 0, 0, []
        self.stopping = threading.Event()

    def run(self) -> None:
        questions = ["什么是无形价值", "市场部是做什么的", "你好"]
        while not self.stopping.is_set():
            self.sent += 1
            try:
                if said(self.say(f"steady-{self.sent // 30}", questions[self.sent % 3])).strip():
                    self.answered += 1
                else:
                    self.errors.append(f"turn {self.sent}: no answer")
            except Exception as error:  # noqa: BLE001 - every failure is what the test counts
                self.errors.append(f"turn {self.sent}: {error!r}")
            time.sleep(0.1)


def test_a_label_fixes_the_message_and_the_model_switches_without_losing_a_turn(loop):
    bot, labels, env, base = loop
    assert AD_FORMS not in said(bot.say("before", MISREAD))
    assert labels.add(MISREAD, "ask_ad_forms", "admin").added

    visitor = Visitor(lambda sender, text: bot.say(sender, text, timeout=120))
    visitor.start()
    status = retrain(env)
    time.sleep(1)
    visitor.stopping.set()
    visitor.join(timeout=150)
    assert status["state"] == "live" and status["returncode"] == 0, status
    assert status["labels"] == 1 and status["labels_right"] == 1 and status["intent_f1"] >= 0.95
    if (Path(settings.LEARNING_EVAL_DIR.path()) / "run_eval.py").exists():  # the public dev sets, when here
        assert min(status["dev"].values()) >= retrain_module.MIN_DEV_ACCURACY, status["dev"]
    assert visitor.errors == [] and visitor.answered == visitor.sent and visitor.sent > 50

    assert AD_FORMS in said(bot.say("after", MISREAD))
    live = json.loads((base / "live.json").read_text(encoding="utf-8"))
    assert live["labels"] == 1 and live["previous"]["labels"] == 0


def test_a_label_the_model_cannot_learn_keeps_the_live_model_and_says_why(loop):
    bot, labels, env, base = loop
    live_before = (base / "live.json").read_text(encoding="utf-8")
    # 什么叫无形价值 (an example of ask_intangible_value) in Traditional script, labelled as a
    # greeting: the labels file takes it (its text differs), the NLU reads it as the Simplified
    # example, so the model does not answer the label as labelled, and the gate says so (with the
    # text as the NLU read it and the topic by its name).
    assert labels.add(CONTRADICTION, "greet", "admin").added
    status = retrain(env)
    assert status["state"] == "failed" and status["returncode"] == 1
    assert status["failed_step"] == "labels" and "什么叫无形价值 → 什么是无形价值" in status["reason"]
    assert os.path.exists(status["rejected_model"])
    assert (base / "live.json").read_text(encoding="utf-8") == live_before
    assert AD_FORMS in said(bot.say("still", MISREAD))  # the checked model still answers


def test_rollback_brings_the_previous_model_back(loop):
    bot, _, env, base = loop
    status = retrain(env, "--rollback")
    assert status["state"] == "rolled_back" and status["returncode"] == 0
    assert AD_FORMS not in said(bot.say("rolled-back", MISREAD))
    live = json.loads((base / "live.json").read_text(encoding="utf-8"))
    assert live["labels"] == 0 and live["previous"]["labels"] == 1
