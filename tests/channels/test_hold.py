"""channels/hold.py: a visitor who asks the assistant to wait while they type."""

import time
from types import SimpleNamespace

from rasa.shared.core.events import UserUttered

from channels.hold import HOLD_INTENT, asks_to_wait, goes_ahead, held, together


def said(text, intent=HOLD_INTENT, ago=10.0):
    return UserUttered(text, parse_data={"intent": {"name": intent, "confidence": 1.0}}, timestamp=time.time() - ago)


def tracker(*events):
    return SimpleNamespace(events=list(events))


def test_asking_to_wait_and_going_ahead_are_heard_in_the_ways_visitors_say_them():
    for text in [
        "先别回 我要问的有点长 等我打完",
        "hold on 先别回",
        "等等先不要回 我一次講完",
        "我分几条发 发完你再回哈",
    ]:
        assert asks_to_wait(text), text
    for text in ["好了 说吧", "背景说完了 你回吧", "ok发完了 请回答", "講完了 請回", "好了 可以回了"]:
        assert goes_ahead(text), text
    assert not asks_to_wait("淘宝运营和推广专员有什么区别") and not asks_to_wait("这活我hold不住")


def test_what_was_said_while_held_is_read_together_without_the_talk_about_typing():
    events = tracker(
        said("先别回 我要问的有点长 等我打完", ago=60),
        said("我们是做家居的天猫店", ago=40),
        said("我想知道淘宝运营和推广专员在工作内容上分别负责啥", ago=20),
    )
    earlier = held(events)
    assert earlier == ["我们是做家居的天猫店", "我想知道淘宝运营和推广专员在工作内容上分别负责啥"]
    assert together(earlier, "好了 说吧").endswith("分别负责啥")
    # what the go-ahead itself adds is part of the question
    assert together(["我朋友想转行"], "她就想知道这俩哪个更好就业 说完了").endswith("哪个更好就业")


def test_no_hold_without_a_request_to_wait_or_long_after_it():
    assert held(tracker(said("淘宝运营和推广专员有什么区别", intent="ask_difference"))) is None
    assert held(tracker(said("我们是做家居的天猫店"))) is None  # hold_on without the request to wait
    assert held(tracker(said("先别回，等我打完", ago=3600))) is None
    # an answered message after the hold ends it
    assert held(tracker(said("先别回，等我打完"), said("好了 说吧", intent="ask_difference"))) is None


def test_a_request_to_wait_that_asks_a_page_question_too_is_no_hold():
    assert not asks_to_wait("等等，这个先别回答，我更想搞清楚的是：什么叫无形价值？")
    assert not asks_to_wait("先等我一下哈，快递小哥到楼下了")  # away a moment, not typing a question
