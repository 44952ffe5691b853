"""channels/fragments.py: one question typed as several short messages."""

from types import SimpleNamespace

from rasa.shared.core.events import BotUttered, UserUttered

from channels.fragments import better, button_named, completed_role, earlier_pieces

NOT_UNDERSTOOD = {"nlu_fallback", "out_of_scope", "inform", None}


def said(text, intent, at):
    return UserUttered(text, parse_data={"intent": {"name": intent, "confidence": 0.4}}, timestamp=at)


def tracker(*events):
    return SimpleNamespace(events=list(events))


def unclear(text="到底指啥"):
    return {"text": text, "intent": {"name": "nlu_fallback", "confidence": 0.3}}


def test_an_unclear_short_message_is_read_with_the_messages_just_before_it():
    history = tracker(said("市场部说的", "nlu_fallback", 100), said("无形价值", "ask_intangible_value", 110))
    assert earlier_pieces(history, NOT_UNDERSTOOD, "到底指啥", unclear(), now=115) == ["市场部说的", "无形价值"]


def test_a_message_after_unclear_pieces_takes_only_those_pieces():
    history = tracker(said("淘宝运营有什么区别", "ask_difference", 100), said("你都能", "nlu_fallback", 110))
    understood = {"intent": {"name": "ask_ops_duties", "confidence": 0.6}}
    assert earlier_pieces(history, NOT_UNDERSTOOD, "回答哪些问题", understood, now=112) == ["你都能"]


def test_pieces_after_a_pause_start_anew():
    history = tracker(said("市场部说的", "nlu_fallback", 100))
    assert earlier_pieces(history, NOT_UNDERSTOOD, "到底指啥", unclear(), now=100 + 600) == []


def test_an_understood_message_after_understood_ones_stands_alone():
    history = tracker(said("运营和市场的区别", "ask_difference", 100))
    understood = {"intent": {"name": "ask_intangible_value", "confidence": 0.9}}
    assert earlier_pieces(history, NOT_UNDERSTOOD, "无形价值是什么", understood, now=105) == []


def test_a_button_payload_is_never_joined():
    history = tracker(said("市场部说的", "nlu_fallback", 100))
    assert earlier_pieces(history, NOT_UNDERSTOOD, "/ask_difference", unclear("/ask_difference"), now=101) == []


def test_the_joined_reading_wins_only_when_it_is_understood():
    joined = {"intent": {"name": "ask_intangible_value", "confidence": 0.9}}
    assert better(joined, unclear(), NOT_UNDERSTOOD)
    assert not better({"intent": {"name": "out_of_scope", "confidence": 0.9}}, unclear(), NOT_UNDERSTOOD)
    assert not better({"intent": {"name": "ask_difference", "confidence": 0.3}}, unclear(), NOT_UNDERSTOOD)


def test_a_whole_question_answered_before_is_not_the_start_of_this_one():
    history = tracker(
        said("无形价值是什么意思", "ask_intangible_value", 100), said("另外网络推广这块", "nlu_fallback", 110)
    )
    assert earlier_pieces(history, NOT_UNDERSTOOD, "主要作用在哪", unclear("主要作用在哪"), now=115) == [
        "另外网络推广这块"
    ]


def test_a_short_reply_naming_one_offered_button_is_that_button():
    offer = BotUttered(
        "您想了解哪一组的区别？",
        {
            "buttons": [
                {"title": "淘宝运营和推广专员的区别", "payload": "/a"},
                {"title": "网络推广和运营的区别", "payload": "/b"},
            ]
        },
    )
    history = tracker(said("运营跟推广到底差在哪", "nlu_fallback", 100), offer)
    assert button_named(history, "淘宝") == "/a"
    assert button_named(history, "运营") is None  # both titles hold it
    assert button_named(history, "淘宝运营和推广专员到底有什么区别呢") is None  # not a short reply


def test_a_short_reply_completing_a_role_of_the_question_before_completes_it():
    history = tracker(said("推广有什么作用啊", "nlu_fallback", 100))
    assert completed_role(history, "网络", now=105) == "网络推广有什么作用啊"
    assert completed_role(history, "好的", now=105) is None
    assert completed_role(history, "网络", now=100 + 600) is None


def test_a_declined_question_before_brings_no_gap_into_an_understood_one():
    gap = {"entity": "gap", "value": "心理咨询师"}
    joined = {"intent": {"name": "ask_job_prospects", "confidence": 0.99}, "entities": [gap]}
    alone = {"intent": {"name": "ask_job_prospects", "confidence": 0.98}, "entities": []}
    assert not better(joined, alone, NOT_UNDERSTOOD)
    assert better({**joined, "entities": []}, alone, NOT_UNDERSTOOD)
