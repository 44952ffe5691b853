"""channels/queued.py: a message saying which of the visitor's listed questions to answer first is
that question."""

import pytest

from channels.queued import listed, picked

NUMBERED = "我有几个问题：1.淘宝运营和推广专员区别 2.运营和市场谁范围大 3.网络广告都有哪些形式"


@pytest.mark.parametrize(
    "previous, pick, question",
    [
        (NUMBERED, "先回答第3个吧 着急用", "网络广告都有哪些形式"),
        (NUMBERED, "先说第一个", "淘宝运营和推广专员区别"),
        ("两个问题 a 运营具体干嘛 b 网络推广有啥作用", "b先", "网络推广有啥作用"),
        ("有三件事想问 ①这篇文章的观点出自哪 ②市场运营有啥共同点", "先说① 出处", "这篇文章的观点出自哪"),
        # questions one after another, and one named by its words, the rest put off
        ("网络推广和运营哪个好就业？推广和运营区别是啥？", "先回答区别 就业的后面再说", "网络推广和运营区别是啥？"),
        (
            "想了解下你们公司是干嘛的 还有 市场部和运营部工作区别 还有你们能不能做小程序",
            "先说第二个",
            "市场部和运营部工作区别",
        ),
    ],
)
def test_the_question_picked_is_the_one_asked(previous, pick, question):
    assert picked(previous, pick) == question


@pytest.mark.parametrize(
    "previous, text",
    [
        (NUMBERED, "第三点呢"),  # no 先: a point of the assistant's last answer (actions/follow_up.py)
        (NUMBERED, "先说第5个"),  # there is no fifth
        ("淘宝运营和推广专员的区别是什么", "先说第二个"),  # one question: nothing to pick from
        (NUMBERED, "先" * 200),
        ("", "先说第一个"),
    ],
)
def test_no_pick_where_nothing_is_picked(previous, text):
    assert picked(previous, text) is None


def test_marks_that_do_not_count_one_two_three_are_no_list():
    assert listed("我做了2个月运营，3个月推广") == []
