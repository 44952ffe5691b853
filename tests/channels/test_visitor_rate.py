"""One visitor sending far faster than a person types is slowed, politely, and nobody else
is (channels/visitor_rate.py, channels/turn.py)."""

from __future__ import annotations

import threading
import time

import pytest

from channels.visitor_rate import MAX_WAIT_SECONDS, VisitorRate
from harness.bot_process import BotProcess

QUESTION = "淘宝运营和推广专员有什么区别"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_is_answered_at_once_then_messages_wait_their_turn():
    clock = Clock()
    rate = VisitorRate(per_second=2, burst=3, clock=clock)
    assert [rate.wait_for("a") for _ in range(3)] == [0, 0, 0]
    assert rate.wait_for("a") == 0.5 and rate.wait_for("a") == 1.0
    assert rate.wait_for("b") == 0  # another visitor is not affected
    clock.now += 60  # a pause refills the allowance, never beyond the burst
    assert [rate.wait_for("a") for _ in range(3)] == [0, 0, 0] and rate.wait_for("a") == 0.5


def test_a_visitor_who_would_wait_too_long_is_refused_without_using_the_allowance():
    rate = VisitorRate(per_second=1, burst=1, clock=Clock())
    waits = [rate.wait_for("a") for _ in range(int(MAX_WAIT_SECONDS) + 3)]
    assert waits[: int(MAX_WAIT_SECONDS) + 1] == [float(i) for i in range(int(MAX_WAIT_SECONDS) + 1)]
    assert waits[-1] is None and rate.wait_for("a") is None


def test_zero_turns_the_limit_off():
    assert not VisitorRate.from_settings({"VISITOR_RATE_PER_SECOND": "0"}).enabled
    assert VisitorRate.from_settings({}).enabled


@pytest.mark.e2e
def test_a_flooding_sender_is_slowed_and_told_while_another_visitor_is_answered_at_once():
    with BotProcess(env={"VISITOR_RATE_PER_SECOND": "1", "VISITOR_RATE_BURST": "2"}) as bot:
        bot.say("warm-up", QUESTION)
        replies: list = []

        def send() -> None:
            replies.append(bot.say("flooder", QUESTION, timeout=60))

        flood = [threading.Thread(target=send) for _ in range(16)]
        for thread in flood:
            thread.start()
        time.sleep(0.5)
        started = time.perf_counter()
        other = bot.say("someone-else", QUESTION)
        other_seconds = time.perf_counter() - started
        for thread in flood:
            thread.join()

    assert "淘宝运营" in " ".join(m.get("text", "") for m in other) and other_seconds < 2
    texts = [" ".join(m.get("text", "") for m in reply) for reply in replies]
    assert len(texts) == 16 and all(texts)  # every message gets a reply
    told = [t for t in texts if "发得有点快" in t]
    answered = [t for t in texts if "淘宝运营" in t and t not in told]
    # 2 at once, then about one a second for up to MAX_WAIT_SECONDS; the rest are told politely.
    assert 2 <= len(answered) <= 2 + MAX_WAIT_SECONDS + 1 and told
    assert all("175-8598-2043" in t for t in told)
