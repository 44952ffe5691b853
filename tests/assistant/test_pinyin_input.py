"""assistant/pinyin_input.py: a question typed in pinyin is read as the Chinese it spells."""

import pytest

from assistant.kb import default_corrector
from assistant.pinyin_input import is_pinyin
from assistant.wording import normalize, normalize_mapped


@pytest.mark.parametrize(
    "typed, read_as",
    [
        ("qingwen taobao yunying he tuiguang zhuanyuan you shenme qubie?", "请问淘宝运营和推广专员有什么区别?"),
        ("Yùnyíng hé shìchǎng, nǎge de fànwéi gèng dà?", "运营和市场,哪个的范围更大?"),
        ("wangluo guanggao changjian de xingshi dou you naxie", "网络广告常见的形式都有哪些"),
        ("wo xiang zhao rengong kefu, dianhua shi duoshao", "我想找人工客服,电话是多少"),
    ],
)
def test_a_question_in_pinyin_is_read_in_characters(typed, read_as):
    assert normalize_mapped(typed, default_corrector()).text == read_as


@pytest.mark.parametrize(
    "text",
    [
        "Which of the two roles deals more with outside partners?",
        "you are right",
        "ok",
        "淘宝运营 yunying",  # Chinese beside it: a mixed message, read as it is
        "bye bye",
    ],
)
def test_english_and_mixed_messages_are_not_pinyin(text):
    assert not is_pinyin(text)


def test_a_wechat_quote_reply_is_what_was_said_before_then_the_question():
    typed = "「创意岭客服：一般有四步流程：用户认知--用户转化」\n- - - - - - - -\n这几步哪些是运营负责的"
    assert normalize(typed) == "一般有四步流程:用户认知--用户转化。这几步哪些是运营负责的"


def test_a_pinyin_question_is_not_answered_as_an_english_one():
    from rasa.shared.nlu.training_data.message import Message

    from components.normalizer import ENGLISH, ChineseNormalizer

    normalizer = ChineseNormalizer(ChineseNormalizer.get_default_config())
    pinyin, english = (
        Message(data={"text": "yunying he shichang you sha butong"}),
        Message(data={"text": "What is the difference between operations and marketing?"}),
    )
    normalizer.process([pinyin, english])
    assert pinyin.get(ENGLISH) is False and english.get(ENGLISH) is True
