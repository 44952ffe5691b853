"""components/our_contacts.py: our phone or WeChat ID, even half-remembered, asks for them."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from components.normalizer import FULL_TEXT
from components.our_contacts import OurContactsMatcher, ours

MATCHER = OurContactsMatcher()


def intent_after(text: str, intent: str = "out_of_scope") -> str:
    message = Message(data={"text": text, FULL_TEXT: text})
    message.set("intent", {"name": intent, "confidence": 0.5})
    MATCHER.process([message])
    return message.get("intent")["name"]


@pytest.mark.parametrize(
    "text",
    [
        "你们电话是175 8598 2043对吧",
        "记得是17585982034，打了好几次不通",  # two digits swapped
        "微信号1454开头的那个，后面是啥",
        "你们的微信是1454722080吗",
    ],
)
def test_our_number_even_half_remembered_asks_for_our_contacts(text):
    assert intent_after(text) == "request_human"


@pytest.mark.parametrize(
    "text",
    ["我的电话13912345678", "2008年我做过运营", "阅读了10w，转化0笔", "微信号是 wxid_abc123"],
)
def test_other_numbers_are_left_alone(text):
    assert intent_after(text, "inform") == "inform"


def test_a_prefix_too_short_to_be_sure_is_not_ours():
    assert not ours("175") and ours("1758")


@pytest.mark.parametrize("text", ["你们电话是175-____-2043，中间四位没看清", "客服电话尾号2043的那个"])
def test_our_phone_with_its_middle_missing_asks_for_our_contacts(text):
    assert intent_after(text) == "request_human"


def test_a_year_ending_like_our_number_is_left_alone():
    assert intent_after("2043年我想转行做运营", "inform") == "inform"
